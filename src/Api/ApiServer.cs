using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using P0fSharp.Engine.Hosts;

namespace P0fSharp.Api;

/// <summary>
/// p0f's v3 query API on a unix stream socket (spec §7). One blocking thread per connection
/// (measured to give the best tail latency for 21/232-byte frames), at most
/// <see cref="ApiServerOptions.MaxClients"/> connections served at once; further connections
/// are left in the kernel backlog, not accepted, until a slot frees — as p0f does.
/// </summary>
/// <remarks>
/// Per connection: read until 21 bytes are present (never more than the missing count),
/// answer from a host snapshot taken at that moment, write all 232 bytes, repeat. Bad
/// queries get a BADQUERY answer and the connection stays open. A read or write error, or
/// a broken pipe, only ends that connection. A client that stops mid-query or stops reading
/// holds only its own thread and slot (as it holds a slot in p0f).
/// <para>
/// Warnings go to the sink passed to the constructor, from the accept thread and from the
/// connection threads, so it must be thread-safe. Texts are what p0f passes to its
/// <c>WARN()</c> (without the <c>[!] WARNING: </c> prefix); where p0f's format string ends
/// in <c>\n</c> (unknown address type, too many connections) the text does too, so printing
/// it with a line ending reproduces p0f's extra empty line.
/// </para>
/// </remarks>
public sealed class ApiServer : IDisposable
{
    /// <summary>p0f's warning when a connection waits because every slot is taken.</summary>
    public const string TooManyConnectionsWarning = "Too many API connections (use -S to adjust).\n";

    private const int SunPathSize = 108;
    private const int OverflowPollMicroseconds = 200_000;
    private const int OverflowSlotWaitMilliseconds = 200;
    private const int WorkerStackSize = 256 * 1024;

    private readonly ApiServerOptions _options;
    private readonly IHostLookup _lookup;
    private readonly Action<string>? _warningSink;
    private readonly SemaphoreSlim _slots;
    private readonly Lock _gate = new();
    private readonly HashSet<Connection> _connections = [];

    private Socket? _listener;
    private Thread? _acceptThread;
    private UnixFile.Status _boundFile;
    private int _state; // 0 created, 1 started, 2 disposed
    private volatile bool _stopping;
    private long _nextConnectionId;

    private long _accepted;
    private long _active;
    private long _ok;
    private long _noMatch;
    private long _bad;
    private long _dropped;
    private long _overflowEpisodes;

    /// <param name="options">Socket path, connection limit, file mode and group.</param>
    /// <param name="lookup">The host table; called from the connection threads.</param>
    /// <param name="warningSink">Receives p0f-style warning texts; must be thread-safe. Exceptions it throws are ignored.</param>
    public ApiServer(ApiServerOptions options, IHostLookup lookup, Action<string>? warningSink = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);
        options.Validate();
        _options = options;
        _lookup = lookup;
        _warningSink = warningSink;
        _slots = new SemaphoreSlim(options.MaxClients, options.MaxClients);
    }

    /// <summary>The socket path.</summary>
    public string SocketPath => _options.SocketPath;

    /// <summary>The connection limit (<c>-S</c>).</summary>
    public int MaxClients => _options.MaxClients;

    /// <summary>True between a successful <see cref="Start"/> and <see cref="Dispose"/>.</summary>
    public bool IsListening => Volatile.Read(ref _state) == 1;

    /// <summary>Current counter values.</summary>
    public ApiServerCounters Counters => new()
    {
        ConnectionsAccepted = Interlocked.Read(ref _accepted),
        ActiveConnections = Interlocked.Read(ref _active),
        QueriesOk = Interlocked.Read(ref _ok),
        QueriesNoMatch = Interlocked.Read(ref _noMatch),
        QueriesBad = Interlocked.Read(ref _bad),
        ClientsDropped = Interlocked.Read(ref _dropped),
        OverflowEpisodes = Interlocked.Read(ref _overflowEpisodes),
    };

    /// <summary>
    /// Creates the socket file and starts accepting. Path rules: shorter than 108 bytes; an
    /// existing non-socket is refused; an existing socket is probed with a connect — refused
    /// (stale) means it is removed and replaced, accepted (a live server) means this call
    /// fails rather than steal the path. The file is created under a umask giving exactly
    /// <see cref="ApiServerOptions.FileMode"/> (the umask is process-wide for the duration of
    /// bind, so call this at start-up), then chowned to the group and chmodded again (which
    /// also overrides a directory's default ACL).
    /// </summary>
    /// <exception cref="ApiSocketException">The socket could not be set up; nothing is left behind.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _state) == 2, this);
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The API server is already started.");
        }

        try
        {
            _listener = OpenListener();
        }
        catch
        {
            Volatile.Write(ref _state, 0);
            throw;
        }

        _acceptThread = new Thread(AcceptLoop, WorkerStackSize)
        {
            IsBackground = true,
            Name = "p0f-api-accept",
        };
        _acceptThread.Start();
    }

    /// <summary>
    /// Stops accepting, closes every connection (waking threads blocked in read or write),
    /// waits up to <see cref="ApiServerOptions.ShutdownTimeout"/> for the threads, and
    /// removes the socket file if it is still the one this server created.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        _stopping = true;
        Socket? listener = _listener;
        listener?.Dispose(); // wakes the accept thread

        Connection[] open;
        lock (_gate)
        {
            open = [.. _connections];
        }

        foreach (Connection c in open)
        {
            c.Abort();
        }

        long deadline = Stopwatch.GetTimestamp() + (long)(_options.ShutdownTimeout.TotalSeconds * Stopwatch.Frequency);
        Join(_acceptThread, deadline);
        foreach (Connection c in open)
        {
            Join(c.Thread, deadline);
        }

        if (listener is not null)
        {
            RemoveOwnSocketFile();
        }
    }

    private static void Join(Thread? thread, long deadline)
    {
        if (thread is null || thread == Thread.CurrentThread)
        {
            return;
        }

        long left = deadline - Stopwatch.GetTimestamp();
        int ms = left <= 0 ? 0 : (int)Math.Min(int.MaxValue, left * 1000 / Stopwatch.Frequency);
        thread.Join(ms);
    }

    // ------------------------------------------------------------------ socket set-up

    private Socket OpenListener()
    {
        string path = _options.SocketPath;
        if (Encoding.UTF8.GetByteCount(path) >= SunPathSize)
        {
            throw new ApiSocketException("API socket filename is too long for sockaddr_un (blame Unix).");
        }

        uint? gid = null;
        if (_options.Group is { } group)
        {
            if (!UnixFile.TryResolveGroup(group, out uint g))
            {
                throw new ApiSocketException($"Group '{group}' for the API socket not found.");
            }

            gid = g;
        }

        UnixFile.Status existing = UnixFile.Stat(path);
        if (existing.Exists)
        {
            if (!existing.IsSocket)
            {
                throw new ApiSocketException($"'{path}' exists but is not a socket.");
            }

            ProbeExistingSocket(path);
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ApiSocketException($"unlink('{path}') failed.", e.Message, e);
            }
        }

        // socket/bind/listen through libc and only then hand the descriptor to .NET: a Socket
        // bound by .NET itself unlinks its path when disposed even if the file has since been
        // replaced by someone else's; this way the file's lifetime is ours (see Dispose).
        SafeSocketHandle handle = UnixFile.CreateStreamSocket();
        bool bound = false;
        try
        {
            uint mode = (uint)_options.FileMode;
            uint oldMask = UnixFile.SetUmask(0x1FFu ^ mode);
            try
            {
                UnixFile.Bind(handle, path);
                bound = true;
            }
            finally
            {
                UnixFile.SetUmask(oldMask);
            }

            if (gid is { } groupId)
            {
                UnixFile.ChangeGroup(path, groupId);
            }

            UnixFile.ChangeMode(path, mode);
            _boundFile = UnixFile.Stat(path);
            UnixFile.Listen(handle, path, _options.MaxClients);
            return new Socket(handle);
        }
        catch (Exception e) when (e is ApiSocketException or SocketException)
        {
            handle.Dispose();
            if (bound)
            {
                TryUnlink(path);
            }

            throw e as ApiSocketException ?? new ApiSocketException($"API socket set-up on '{path}' failed.", e.Message, e);
        }
    }

    private static void TryUnlink(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort while already failing
        }
    }

    /// <summary>
    /// An existing socket file: a refused connect means nobody listens (stale) and it may be
    /// replaced; a connect that succeeds, or that would block because the backlog is full,
    /// means a live server owns it.
    /// </summary>
    private static void ProbeExistingSocket(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        probe.Blocking = false;
        SocketError error;
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            error = SocketError.Success;
        }
        catch (SocketException e)
        {
            error = e.SocketErrorCode;
        }

        switch (error)
        {
            case SocketError.ConnectionRefused:
            case SocketError.AddressNotAvailable: // vanished between stat and connect
                return;
            case SocketError.Success:
            case SocketError.WouldBlock:
            case SocketError.InProgress:
            case SocketError.TryAgain:
                throw new ApiSocketException(
                    $"'{path}' is in use by a running server (another p0f?); not taking it over.");
            default:
                throw new ApiSocketException($"connect() probe of the existing socket '{path}' failed.",
                    new SocketException((int)error).Message);
        }
    }

    private void RemoveOwnSocketFile()
    {
        try
        {
            UnixFile.Status now = UnixFile.Stat(_options.SocketPath);
            if (now.Exists && now.IsSocket && now.Device == _boundFile.Device && now.Inode == _boundFile.Inode)
            {
                File.Delete(_options.SocketPath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ApiSocketException)
        {
            Warn($"Could not remove the API socket '{_options.SocketPath}': {e.Message}");
        }
    }

    // ------------------------------------------------------------------ accepting

    private void AcceptLoop()
    {
        Socket listener = _listener!;
        bool overflow = false;
        long overflowStart = 0;
        long overflowWaited = 0;

        while (!_stopping)
        {
            if (!_slots.Wait(0) && !WaitForSlot(listener, ref overflow, ref overflowStart))
            {
                return;
            }

            Socket client;
            try
            {
                client = listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _slots.Release();
                if (_stopping)
                {
                    return;
                }

                Warn($"accept() on the API socket failed: {e.Message}");
                Thread.Sleep(100); // e.g. EMFILE: do not spin
                continue;
            }

            Interlocked.Increment(ref _accepted);
            if (!StartConnection(client))
            {
                return;
            }

            if (overflow)
            {
                overflowWaited++;
                if (!IsPending(listener))
                {
                    double seconds = (Stopwatch.GetTimestamp() - overflowStart) / (double)Stopwatch.Frequency;
                    Warn($"API connection backlog drained: {overflowWaited} connection(s) waited up to " +
                         $"{seconds:F1} s for one of the {_options.MaxClients} slots.");
                    overflow = false;
                    overflowWaited = 0;
                }
            }
        }
    }

    /// <summary>
    /// All slots are taken. Poll the listener so a waiting connection is noticed (that starts
    /// an overflow episode, warned about once), and take the next slot that frees.
    /// </summary>
    private bool WaitForSlot(Socket listener, ref bool overflow, ref long overflowStart)
    {
        while (true)
        {
            if (_stopping)
            {
                return false;
            }

            bool pending;
            try
            {
                pending = listener.Poll(OverflowPollMicroseconds, SelectMode.SelectRead);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopping)
                {
                    return false;
                }

                pending = false;
                Thread.Sleep(OverflowSlotWaitMilliseconds);
            }

            if (_stopping)
            {
                return false;
            }

            if (pending && _slots.Wait(0))
            {
                return true; // a slot freed while we polled: not an overflow
            }

            if (pending && !overflow)
            {
                overflow = true;
                overflowStart = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _overflowEpisodes);
                Warn(TooManyConnectionsWarning);
            }

            if (_slots.Wait(pending ? OverflowSlotWaitMilliseconds : 0))
            {
                return true;
            }
        }
    }

    private static bool IsPending(Socket listener)
    {
        try
        {
            return listener.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private bool StartConnection(Socket client)
    {
        var connection = new Connection(this, client);
        lock (_gate)
        {
            if (_stopping)
            {
                client.Dispose();
                _slots.Release();
                return false;
            }

            _connections.Add(connection);
        }

        Interlocked.Increment(ref _active);
        try
        {
            connection.Thread.Start();
        }
        catch (OutOfMemoryException)
        {
            Warn("Could not start a thread for an API connection.");
            Finish(connection, dropped: true);
        }

        return true;
    }

    private void Finish(Connection connection, bool dropped)
    {
        connection.Socket.Dispose();
        lock (_gate)
        {
            _connections.Remove(connection);
        }

        if (dropped)
        {
            Interlocked.Increment(ref _dropped);
        }

        _slots.Release();
        Interlocked.Decrement(ref _active); // after the release: no active connections means free slots
    }

    // ------------------------------------------------------------------ serving

    private void Serve(Connection connection)
    {
        bool dropped = true;
        try
        {
            dropped = !ServeQueries(connection.Socket);
        }
#pragma warning disable CA1031 // whatever goes wrong on one connection must not end the process
        catch (Exception e)
#pragma warning restore CA1031
        {
            // A failing host lookup or similar: lose this client, never the process.
            if (!_stopping)
            {
                Warn($"API connection dropped after an internal error: {e.Message}");
            }
        }
        finally
        {
            Finish(connection, dropped || _stopping);
        }
    }

    /// <summary>Returns true when the client closed cleanly between queries.</summary>
    private bool ServeQueries(Socket socket)
    {
        Span<byte> query = stackalloc byte[ApiProtocol.QuerySize];
        Span<byte> response = stackalloc byte[ApiProtocol.ResponseSize];

        while (true)
        {
            int have = 0;
            while (have < ApiProtocol.QuerySize)
            {
                int n = socket.Receive(query[have..], SocketFlags.None, out SocketError error);
                if (error != SocketError.Success)
                {
                    return false;
                }

                if (n == 0)
                {
                    return have == 0;
                }

                have += n;
            }

            ApiStatus status = ApiProtocol.Answer(query, response, _lookup, out ApiQuery parsed, out ApiQueryError queryError);
            if (queryError != ApiQueryError.None)
            {
                Warn(ApiProtocol.WarningFor(parsed, queryError)!);
            }

            int sent = 0;
            while (sent < ApiProtocol.ResponseSize)
            {
                int n = socket.Send(response[sent..], SocketFlags.None, out SocketError error);
                if (error != SocketError.Success || n <= 0)
                {
                    return false;
                }

                sent += n;
            }

            switch (status)
            {
                case ApiStatus.Ok:
                    Interlocked.Increment(ref _ok);
                    break;
                case ApiStatus.NoMatch:
                    Interlocked.Increment(ref _noMatch);
                    break;
                default:
                    Interlocked.Increment(ref _bad);
                    break;
            }
        }
    }

    private void Warn(string text)
    {
        if (_warningSink is null)
        {
            return;
        }

        try
        {
            _warningSink(text);
        }
#pragma warning disable CA1031 // a faulty sink must not take a connection thread (and the process) down
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private sealed class Connection
    {
        public Connection(ApiServer server, Socket socket)
        {
            Socket = socket;
            long id = Interlocked.Increment(ref server._nextConnectionId);
            Thread = new Thread(() => server.Serve(this), WorkerStackSize)
            {
                IsBackground = true,
                Name = $"p0f-api-{id}",
            };
        }

        public Socket Socket { get; }

        public Thread Thread { get; }

        /// <summary>Wakes a thread blocked in Receive or Send on this connection.</summary>
        public void Abort()
        {
            try
            {
                Socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
