using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using P0fSharp.Api.Transport;
using P0fSharp.Engine.Hosts;

namespace P0fSharp.Api;

/// <summary>
/// p0f's v3 query API on a unix stream socket (spec §7), served by a small number of epoll
/// event-loop threads (<see cref="ApiWorker"/>) over non-blocking descriptors: at most
/// <see cref="ApiServerOptions.MaxClients"/> connections are served at once; further
/// connections are left in the kernel backlog, not accepted, until a slot frees — as p0f does.
/// </summary>
/// <remarks>
/// Per connection: bytes are collected until 21 are present (partial reads are normal), each
/// complete query is answered from a host snapshot taken at that moment, answers to pipelined
/// queries go out together. Bad queries get a BADQUERY answer and the connection stays open.
/// A read or write error, or a vanished peer, only ends that connection. A client that stops
/// mid-query or stops reading holds only its own slot (as it holds a slot in p0f); nothing
/// ever blocks a worker.
/// <para>
/// Warnings go to the sink passed to the constructor, from the worker threads, so it must
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
    private const int AcceptRetryMilliseconds = 100;
    private const int WorkerStackSize = 256 * 1024;
    private const int ECONNABORTED = 103;

    private readonly ApiServerOptions _options;
    private readonly IHostLookup _lookup;
    private readonly Action<string>? _warningSink;

    private Socket? _listener;
    private int _listenerFd = -1;
    private ApiWorker[] _workers = [];
    private UnixFile.Status _boundFile;
    private int _state; // 0 created, 1 started, 2 disposed
    private volatile bool _stopping;

    // Slots taken (accepted or being accepted) and connections registered with a worker.
    private int _slotsUsed;
    private long _active;
    private long _accepted;
    private long _overflowEpisodes;

    // Owned by the accepting worker's thread.
    private int _listenerParked;
    private long _acceptRetryAt;
    private bool _overflow;
    private long _overflowStart;
    private long _overflowWaited;
    private int _nextWorker;

    /// <param name="options">Socket path, connection limit, file mode and group.</param>
    /// <param name="lookup">The host table; called from the worker threads.</param>
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
            foreach (ApiWorker worker in Volatile.Read(ref _workers))
            {
                ok += worker.QueriesOk;
                noMatch += worker.QueriesNoMatch;
                bad += worker.QueriesBad;
                dropped += worker.Dropped;
            }

            return new ApiServerCounters
            {
                ConnectionsAccepted = Interlocked.Read(ref _accepted),
                ActiveConnections = Interlocked.Read(ref _active),
                QueriesOk = ok,
                QueriesNoMatch = noMatch,
                QueriesBad = bad,
                ClientsDropped = dropped,
                OverflowEpisodes = Interlocked.Read(ref _overflowEpisodes),
            };
        }
    }

    internal IHostLookup Lookup => _lookup;

    internal bool Stopping => _stopping;

    /// <summary>
    /// Event-loop threads: one on a machine of up to four cores (clients of a local API
    /// share those cores, and one loop already batches every ready connection per wake-up),
    /// else one per four cores, at most four.
    /// </summary>
    internal static int WorkerCount => Math.Clamp(Environment.ProcessorCount / 4, 1, 4);

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

        var workers = new List<ApiWorker>();
        try
        {
            _listener = OpenListener();
            _listener.Blocking = false;
            _listenerFd = (int)_listener.Handle;
            for (int i = 0; i < WorkerCount; i++)
            {
                workers.Add(new ApiWorker(this, i + 1, WorkerStackSize));
            }

            if (LinuxSockets.Add(workers[0].Epoll, _listenerFd, LinuxSockets.EpollIn, ApiWorker.ListenerToken) != 0)
            {
                throw new ApiSocketException("epoll_ctl() on the API socket failed.", LinuxSockets.Describe(LinuxSockets.LastError));
            }
        }
        catch
        {
            foreach (ApiWorker worker in workers)
            {
                worker.Dispose();
            }

            if (_listener is not null)
            {
                _listener.Dispose();
                _listener = null;
                RemoveOwnSocketFile();
            }

            Volatile.Write(ref _state, 0);
            throw;
        }

        Volatile.Write(ref _workers, workers.ToArray());
        foreach (ApiWorker worker in _workers)
        {
            worker.Start();
        }
    }

    /// <summary>
    /// Stops accepting, closes every connection, waits up to
    /// <see cref="ApiServerOptions.ShutdownTimeout"/> for the worker threads, and removes the
    /// socket file if it is still the one this server created.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        _stopping = true;
        ApiWorker[] workers = Volatile.Read(ref _workers);
        foreach (ApiWorker worker in workers)
        {
            worker.Wake();
        }

        long deadline = Stopwatch.GetTimestamp() + (long)(_options.ShutdownTimeout.TotalSeconds * Stopwatch.Frequency);
        bool allEnded = true;
        foreach (ApiWorker worker in workers)
        {
            long left = deadline - Stopwatch.GetTimestamp();
            int ms = left <= 0 ? 0 : (int)Math.Min(int.MaxValue, left * 1000 / Stopwatch.Frequency);
            if (worker.Thread != Thread.CurrentThread && !worker.Thread.Join(ms))
            {
                allEnded = false;
            }
        }

        if (allEnded)
        {
            foreach (ApiWorker worker in workers)
            {
                worker.Dispose();
            }
        }

        Socket? listener = _listener;
        if (listener is not null)
        {
            listener.Dispose();
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

    // ------------------------------------------------------------------ accepting (first worker's thread)

    /// <summary>
    /// The listener is readable: accept while slots are free. With every slot taken and a
    /// connection waiting, an overflow episode starts (warned about once) and the listener
    /// leaves the epoll set until a slot frees; the episode ends, with a summary, when the
    /// backlog has drained.
    /// </summary>
    internal void AcceptPending(ApiWorker acceptor)
    {
        while (!_stopping)
        {
            if (!TryTakeSlot())
            {
                if (!LinuxSockets.IsReadable(_listenerFd))
                {
                    EndOverflow();
                    return;
                }

                if (!_overflow)
                {
                    _overflow = true;
                    _overflowStart = Stopwatch.GetTimestamp();
                    _overflowWaited = 0;
                    Interlocked.Increment(ref _overflowEpisodes);
                    Warn(TooManyConnectionsWarning);
                }

                ParkListener(acceptor, retryLater: false);
                return;
            }

            int fd = LinuxSockets.Accept(_listenerFd);
            if (fd < 0)
            {
                int errno = LinuxSockets.LastError;
                ReleaseSlot(registered: false);
                if (errno == LinuxSockets.EAGAIN)
                {
                    EndOverflow();
                    return;
                }

                if (errno is LinuxSockets.EINTR or ECONNABORTED)
                {
                    continue;
                }

                // e.g. EMFILE: try again a little later rather than spin on a readable listener
                Warn($"accept() on the API socket failed: {LinuxSockets.Describe(errno)}");
                ParkListener(acceptor, retryLater: true);
                return;
            }

            Interlocked.Increment(ref _accepted);
            if (_overflow)
            {
                _overflowWaited++;
            }

            ApiWorker[] workers = _workers;
            ApiWorker target = workers[_nextWorker];
            _nextWorker = (_nextWorker + 1) % workers.Length;
            target.Adopt(fd, fromThisThread: target == acceptor);
        }
    }

    /// <summary>The accepting worker woke without listener traffic: put a parked listener back once a slot is free.</summary>
    internal void OnAcceptorIdle(ApiWorker worker)
    {
        if (worker != _workers[0] || _listenerParked == 0)
        {
            return;
        }

        long now = Environment.TickCount64;
        if (_acceptRetryAt != 0 && now < _acceptRetryAt)
        {
            worker.WaitTimeout = (int)(_acceptRetryAt - now);
            return;
        }

        _acceptRetryAt = 0;
        worker.WaitTimeout = -1;
        if (Volatile.Read(ref _slotsUsed) < _options.MaxClients)
        {
            UnparkListener(worker);
        }
    }

    /// <summary>A connection is served by a worker.</summary>
    internal void ConnectionRegistered() => Interlocked.Increment(ref _active);

    /// <summary>Frees a slot (from any worker); wakes the accepting worker if the listener is parked.</summary>
    internal void ReleaseSlot(bool registered)
    {
        Interlocked.Decrement(ref _slotsUsed);
        if (registered)
        {
            Interlocked.Decrement(ref _active); // after the release: no active connections means free slots
        }

        if (Volatile.Read(ref _listenerParked) != 0)
        {
            ApiWorker[] workers = _workers;
            if (workers.Length > 0)
            {
                workers[0].Wake();
            }
        }
    }

    private bool TryTakeSlot()
    {
        // Only the accepting thread takes slots, so check-then-increment cannot overshoot.
        if (Volatile.Read(ref _slotsUsed) >= _options.MaxClients)
        {
            return false;
        }

        Interlocked.Increment(ref _slotsUsed);
        return true;
    }

    private void ParkListener(ApiWorker acceptor, bool retryLater)
    {
        Interlocked.Exchange(ref _listenerParked, 1);
        LinuxSockets.Remove(acceptor.Epoll, _listenerFd);
        if (retryLater)
        {
            _acceptRetryAt = Environment.TickCount64 + AcceptRetryMilliseconds;
            acceptor.WaitTimeout = AcceptRetryMilliseconds;
        }
        else if (Volatile.Read(ref _slotsUsed) < _options.MaxClients)
        {
            UnparkListener(acceptor); // a slot freed while parking
        }
    }

    private void UnparkListener(ApiWorker acceptor)
    {
        if (Interlocked.Exchange(ref _listenerParked, 0) != 0)
        {
            LinuxSockets.Add(acceptor.Epoll, _listenerFd, LinuxSockets.EpollIn, ApiWorker.ListenerToken);
        }
    }

    private void EndOverflow()
    {
        if (!_overflow)
        {
            return;
        }

        double seconds = (Stopwatch.GetTimestamp() - _overflowStart) / (double)Stopwatch.Frequency;
        Warn($"API connection backlog drained: {_overflowWaited} connection(s) waited up to " +
             $"{seconds:F1} s for one of the {_options.MaxClients} slots.");
        _overflow = false;
        _overflowWaited = 0;
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
#pragma warning disable CA1031 // a faulty sink must not take a worker thread (and the process) down
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
