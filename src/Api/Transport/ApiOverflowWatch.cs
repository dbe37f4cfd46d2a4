using System.Diagnostics;

namespace P0fSharp.Api.Transport;

/// <summary>
/// Watches the listener while every connection slot is busy, the one time no connection thread
/// is waiting in <c>accept()</c>: a connection that arrives then waits in the kernel backlog,
/// and that starts an overflow episode, warned about once as p0f warns. The episode ends, with
/// a summary, when the backlog has drained. It also retries starting a connection thread
/// when that failed (out of memory or descriptors) and left nobody in <c>accept()</c>.
/// Otherwise this thread sleeps on its wake-up descriptor and costs nothing per connection.
/// </summary>
internal sealed class ApiOverflowWatch : IDisposable
{
    // While a slot is free but the backlog has not drained yet, no event says when it has:
    // look again this often.
    private const int DrainCheckMilliseconds = 20;
    private const int RetryMilliseconds = 100;

    private readonly ApiServer _server;
    private readonly int _listenerFd;
    private readonly ApiConnectionPool _pool;
    private readonly Thread _thread;

    private long _overflowEpisodes;
    private long _waited;
    private volatile bool _inEpisode;

    // Owned by the watching thread.
    private long _episodeStart;
    private long _startRetryAt;

    public ApiOverflowWatch(ApiServer server, ApiConnectionPool pool, int stackSize)
    {
        _server = server;
        _pool = pool;
        _listenerFd = pool.ListenerFd;
        WakeFd = LinuxSockets.CreateEventFd();
        if (WakeFd < 0)
        {
            throw new ApiSocketException("eventfd() for the API failed.", LinuxSockets.Describe(LinuxSockets.LastError));
        }

        _thread = new Thread(Run, stackSize) { IsBackground = true, Name = "p0f-api-watch" };
    }

    public int WakeFd { get; private set; }

    public Thread Thread => _thread;

    public long OverflowEpisodes => Interlocked.Read(ref _overflowEpisodes);

    /// <summary>True from the warning until the backlog has drained.</summary>
    public bool InEpisode => _inEpisode;

    public void Start() => _thread.Start();

    /// <summary>Slots changed in a way that matters (the last one taken, one freed while full or during an episode).</summary>
    public void Wake() => LinuxSockets.Signal(WakeFd);

    /// <summary>A connection thread accepted a connection that may have waited in the backlog.</summary>
    public void NoteAccepted()
    {
        if (_inEpisode)
        {
            Interlocked.Increment(ref _waited);
            Wake();
        }
    }

    /// <summary>Closes the wake-up descriptor (after every thread that could signal it has ended).</summary>
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
            if (_pool.ThreadStartFailing && Environment.TickCount64 >= _startRetryAt)
            {
                // At most every RetryMilliseconds: a failed start signals this thread again.
                _startRetryAt = Environment.TickCount64 + RetryMilliseconds;
                _pool.EnsureOneAccepting();
            }

            bool full = _pool.AllSlotsBusy;
            int timeout;
            bool watchListener;
            if (_inEpisode)
            {
                if (!LinuxSockets.IsReadable(_listenerFd))
                {
                    EndEpisode();
                    continue;
                }

                // Full: a freed slot wakes this thread. Not full: a thread is about to take the
                // next waiting connection; look again shortly.
                timeout = full ? -1 : DrainCheckMilliseconds;
                watchListener = false;
            }
            else
            {
                timeout = -1;
                watchListener = full;
            }

            if (_pool.ThreadStartFailing)
            {
                int untilRetry = (int)Math.Clamp(_startRetryAt - Environment.TickCount64, 0, RetryMilliseconds);
                timeout = timeout < 0 ? untilRetry : Math.Min(timeout, untilRetry);
            }

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

            if (listenerReadable && !_inEpisode && !_server.Stopping && _pool.AllSlotsBusy)
            {
                BeginEpisode();
            }
        }
    }

    private void BeginEpisode()
    {
        _episodeStart = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _waited, 0);
        _inEpisode = true;
        Interlocked.Increment(ref _overflowEpisodes);
        _server.Warn(ApiServer.TooManyConnectionsWarning);
    }

    private void EndEpisode()
    {
        _inEpisode = false;
        double seconds = (Stopwatch.GetTimestamp() - _episodeStart) / (double)Stopwatch.Frequency;
        _server.Warn($"API connection backlog drained: {Interlocked.Read(ref _waited)} connection(s) waited up to " +
                     $"{seconds:F1} s for one of the {_server.MaxClients} slots.");
    }
}
