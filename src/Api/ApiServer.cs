using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using P0fSharp.Api.Transport;
using P0fSharp.Engine.Hosts;

namespace P0fSharp.Api;

/// <summary>
/// p0f's v3 query API on a unix stream socket (spec §7): a thread per connection being served
/// (<see cref="ApiConnectionThread"/>, pooled; idle ones wait in <c>accept()</c> themselves),
/// with blocking accept / recv / send on raw descriptors. At most
/// <see cref="ApiServerOptions.MaxClients"/> connections are served at once; further
/// connections are left in the kernel backlog, not accepted, until a slot frees — as p0f does
/// (<see cref="ApiOverflowWatch"/> reports such waits).
/// </summary>
/// <remarks>
/// Per connection: bytes are collected until 21 are present (partial reads are normal), each
/// complete query is answered from a host snapshot taken at that moment, answers to pipelined
/// queries go out together. Bad queries get a BADQUERY answer and the connection stays open.
/// A read or write error, or a vanished peer, only ends that connection. A client that stops
/// mid-query or stops reading holds only its own slot and thread (as it holds a slot in p0f).
/// <para>
/// Warnings go to the sink passed to the constructor, from the server's threads, so it must
/// be thread-safe. Texts are what p0f passes to its <c>WARN()</c> (without the
/// <c>[!] WARNING: </c> prefix); where p0f's format string ends in <c>\n</c> (unknown address
/// type, too many connections) the text does too, so printing it with a line ending
/// reproduces p0f's extra empty line.
/// </para>
/// </remarks>
public sealed class ApiServer : IDisposable
{
    /// <summary>p0f's warning when a connection waits because every slot is taken.</summary>
    public const string TooManyConnectionsWarning = "Too many API connections (use -S to adjust).\n";

    private const int SunPathSize = 108;
    private const int ThreadStackSize = 256 * 1024;

    private readonly ApiServerOptions _options;
    private readonly IHostLookup _lookup;
    private readonly Action<string>? _warningSink;

    private Socket? _listener;
    private ApiConnectionPool? _pool;
    private ApiOverflowWatch? _watch;
    private UnixFile.Status _boundFile;
    private int _state; // 0 created, 1 started, 2 disposed
    private volatile bool _stopping;

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
    }

    /// <summary>The socket path.</summary>
    public string SocketPath => _options.SocketPath;

    /// <summary>The connection limit (<c>-S</c>).</summary>
    public int MaxClients => _options.MaxClients;

    /// <summary>True between a successful <see cref="Start"/> and <see cref="Dispose"/>.</summary>
    public bool IsListening => Volatile.Read(ref _state) == 1;

    /// <summary>Current counter values.</summary>
    public ApiServerCounters Counters
    {
        get
        {
            long ok = 0, noMatch = 0, bad = 0, dropped = 0;
            foreach (ApiConnectionThread thread in Volatile.Read(ref _pool)?.Threads ?? [])
            {
                ok += thread.QueriesOk;
                noMatch += thread.QueriesNoMatch;
                bad += thread.QueriesBad;
                dropped += thread.Dropped;
            }

            ApiConnectionPool? pool = Volatile.Read(ref _pool);
            return new ApiServerCounters
            {
                ConnectionsAccepted = pool?.Accepted ?? 0,
                ActiveConnections = pool?.Active ?? 0,
                QueriesOk = ok,
                QueriesNoMatch = noMatch,
                QueriesBad = bad,
                ClientsDropped = dropped,
                OverflowEpisodes = Volatile.Read(ref _watch)?.OverflowEpisodes ?? 0,
            };
        }
    }

    /// <summary>The overflow watch and every connection thread started so far.</summary>
    internal IReadOnlyList<Thread> ServerThreads =>
        Volatile.Read(ref _watch) is { } watch
            ? [watch.Thread, .. (Volatile.Read(ref _pool)?.Threads ?? []).Select(t => t.Thread)]
            : [];

    internal IHostLookup Lookup => _lookup;

    internal bool Stopping => _stopping;

    /// <summary>
    /// Creates the socket file and starts accepting. Path rules: shorter than 108 bytes; an
    /// existing non-socket is refused; an existing socket is probed with a connect — refused
    /// (stale) means it is removed and replaced, accepted (a live server) means this call
    /// fails rather than steal the path. The file is created under a umask giving exactly
    /// <see cref="ApiServerOptions.FileMode"/> (the umask is process-wide for the duration of
    /// bind, so call this at start-up), then chowned to the group and chmodded again (which
    /// also overrides a directory's default ACL).
    /// </summary>
    /// <exception cref="ApiSocketException">The socket could not be set up; nothing is left behind. (Should the
    /// server's threads fail to start, the server is disposed as well.)</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _state) == 2, this);
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The API server is already started.");
        }

        try
        {
            // Blocking: idle connection threads wait in accept() on it.
            _listener = OpenListener();
        }
        catch
        {
            Volatile.Write(ref _state, 0);
            throw;
        }

        try
        {
            int listenerFd = (int)_listener.Handle;
            var pool = new ApiConnectionPool(this, listenerFd, _options.MaxClients, ThreadStackSize);
            var watch = new ApiOverflowWatch(this, pool, ThreadStackSize);
            Volatile.Write(ref _pool, pool);
            Volatile.Write(ref _watch, watch);
            pool.Start(watch);
            watch.Start();
        }
        catch
        {
            // Threads may have started: stop them as Dispose does; this server is done.
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stops accepting, ends every connection, waits up to
    /// <see cref="ApiServerOptions.ShutdownTimeout"/> for the server's threads, and removes the
    /// socket file if it is still the one this server created.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        _stopping = true;
        long deadline = Stopwatch.GetTimestamp() + (long)(_options.ShutdownTimeout.TotalSeconds * Stopwatch.Frequency);
        Socket? listener = _listener;
        if (listener is not null)
        {
            // Every thread blocked in accept() returns (EINVAL), and later calls fail at once.
            LinuxSockets.ShutdownBoth((int)listener.Handle);
        }

        ApiOverflowWatch? watch = _watch;
        bool watchEnded = true;
        if (watch is not null)
        {
            watch.Wake();
            watchEnded = ThreadJoin.Before(watch.Thread, deadline);
        }

        bool connectionThreadsEnded = true;
        if (_pool is { } pool)
        {
            pool.Stop();
            connectionThreadsEnded = pool.Join(deadline);
        }

        // A thread still running may yet use the watch's or the listener's descriptor: keep
        // them open (rather than let their numbers be reused) unless every thread has ended.
        bool allEnded = watchEnded && connectionThreadsEnded;
        if (allEnded)
        {
            watch?.Dispose();
        }

        if (listener is not null)
        {
            if (allEnded)
            {
                listener.Dispose();
            }

            RemoveOwnSocketFile();
        }
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

    internal void Warn(string text)
    {
        if (_warningSink is null)
        {
            return;
        }

        try
        {
            _warningSink(text);
        }
#pragma warning disable CA1031 // a faulty sink must not take a server thread (and the process) down
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
