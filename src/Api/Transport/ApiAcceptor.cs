using System.Diagnostics;

namespace P0fSharp.Api.Transport;

/// <summary>
/// The accepting thread of the API server: takes connections off the listen backlog while
/// fewer than the connection limit are being served and hands each to
/// <see cref="ApiConnectionPool"/>. With every slot taken and a connection waiting, an
/// overflow episode starts (warned about once, as p0f warns) and the listener is left alone
/// until a slot frees; the episode ends, with a summary, when the backlog has drained.
/// </summary>
internal sealed class ApiAcceptor : IDisposable
{
    private const int RetryMilliseconds = 100;

    private readonly ApiServer _server;
    private readonly ApiConnectionPool _pool;
    private readonly int _listenerFd;
    private readonly int _maxClients;
    private readonly Thread _thread;

    // Slots taken (accepted or being accepted) and connections handed to a thread.
    private int _slotsUsed;
    private long _active;
    private long _accepted;
    private long _refused;
    private long _overflowEpisodes;

    // 1 while every slot is taken and a connection waits: the listener is not polled until
    // a slot frees (which signals the wake-up descriptor).
    private int _parked;

    // Owned by the accepting thread.
    private long _retryAt;
    private bool _overflow;
    private long _overflowStart;
    private long _overflowWaited;

    public ApiAcceptor(ApiServer server, ApiConnectionPool pool, int listenerFd, int maxClients, int stackSize)
    {
        _server = server;
        _pool = pool;
        _listenerFd = listenerFd;
        _maxClients = maxClients;
        WakeFd = LinuxSockets.CreateEventFd();
        if (WakeFd < 0)
        {
            throw new ApiSocketException("eventfd() for the API failed.", LinuxSockets.Describe(LinuxSockets.LastError));
        }

        _thread = new Thread(Run, stackSize) { IsBackground = true, Name = "p0f-api-accept" };
    }

    public int WakeFd { get; private set; }

    public Thread Thread => _thread;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Active => Interlocked.Read(ref _active);

    /// <summary>Accepted connections that no thread could take (closed at once).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public long OverflowEpisodes => Interlocked.Read(ref _overflowEpisodes);

    public void Start() => _thread.Start();

    public void Wake() => LinuxSockets.Signal(WakeFd);

    /// <summary>A connection thread has finished with its connection: frees its slot.</summary>
    public void ConnectionEnded()
    {
        Interlocked.Decrement(ref _slotsUsed);
        Interlocked.Decrement(ref _active); // after the release: no active connections means free slots
        if (Volatile.Read(ref _parked) != 0)
        {
            Wake();
        }
    }

    /// <summary>Closes the wake-up descriptor (after the thread has ended).</summary>
    public void Dispose()
    {
        if (WakeFd >= 0)
        {
            LinuxSockets.Close(WakeFd);
            WakeFd = -1;
        }
    }

    private void Run()
    {
        while (!_server.Stopping)
        {
            // A slot freed since parking: AcceptPending's fenced park and ConnectionEnded's
            // decrement-then-read make sure this check or that wake-up sees it.
            if (Volatile.Read(ref _parked) != 0 && Volatile.Read(ref _slotsUsed) < _maxClients)
            {
                Interlocked.Exchange(ref _parked, 0);
            }

            int timeout = -1;
            if (_retryAt != 0)
            {
                timeout = (int)Math.Max(0, _retryAt - Environment.TickCount64);
                if (timeout == 0)
                {
                    _retryAt = 0;
                    timeout = -1;
                }
            }

            bool watchListener = _parked == 0 && _retryAt == 0;
            int n = LinuxSockets.WaitReadable(WakeFd, watchListener ? _listenerFd : -1, timeout, out bool woken, out bool listenerReadable);
            if (n < 0)
            {
                int errno = LinuxSockets.LastError;
                if (errno != LinuxSockets.EINTR)
                {
                    _server.Warn($"poll() on the API socket failed: {LinuxSockets.Describe(errno)}");
                    Thread.Sleep(RetryMilliseconds);
                }

                continue;
            }

            if (woken)
            {
                LinuxSockets.DrainSignal(WakeFd);
            }

            if (listenerReadable && !_server.Stopping)
            {
                AcceptPending();
            }
        }
    }

    private void AcceptPending()
    {
        while (!_server.Stopping)
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
                    _server.Warn(ApiServer.TooManyConnectionsWarning);
                }

                // Exchange, not a plain write: a full fence before Run reads _slotsUsed again.
                Interlocked.Exchange(ref _parked, 1);
                return;
            }

            int fd = LinuxSockets.Accept(_listenerFd);
            if (fd < 0)
            {
                int errno = LinuxSockets.LastError;
                Interlocked.Decrement(ref _slotsUsed);
                if (errno == LinuxSockets.EAGAIN)
                {
                    EndOverflow();
                    return;
                }

                if (errno is LinuxSockets.EINTR or LinuxSockets.ECONNABORTED)
                {
                    continue;
                }

                // e.g. EMFILE: try again a little later rather than spin on a readable listener
                _server.Warn($"accept() on the API socket failed: {LinuxSockets.Describe(errno)}");
                _retryAt = Environment.TickCount64 + RetryMilliseconds;
                return;
            }

            Interlocked.Increment(ref _accepted);
            if (_overflow)
            {
                _overflowWaited++;
            }

            Interlocked.Increment(ref _active);
            if (!_pool.TryServe(fd))
            {
                LinuxSockets.Close(fd);
                Interlocked.Increment(ref _refused);
                ConnectionEnded();
            }
        }
    }

    private bool TryTakeSlot()
    {
        // Only this thread takes slots, so check-then-increment cannot overshoot.
        if (Volatile.Read(ref _slotsUsed) >= _maxClients)
        {
            return false;
        }

        Interlocked.Increment(ref _slotsUsed);
        return true;
    }

    private void EndOverflow()
    {
        if (!_overflow)
        {
            return;
        }

        double seconds = (Stopwatch.GetTimestamp() - _overflowStart) / (double)Stopwatch.Frequency;
        _server.Warn($"API connection backlog drained: {_overflowWaited} connection(s) waited up to " +
                     $"{seconds:F1} s for one of the {_maxClients} slots.");
        _overflow = false;
        _overflowWaited = 0;
    }
}
