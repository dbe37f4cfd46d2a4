namespace P0fSharp.Api.Transport;

/// <summary>
/// The connection threads of the API server and the count of the connections they serve.
/// Every thread that is not serving waits in <c>accept()</c> on the listener itself, so the
/// kernel hands a new connection straight to one idle thread (leader / followers: no accepting
/// thread, no hand-over, one wake-up per connection). A thread that takes a connection while no
/// other is left waiting starts one more, until there are as many threads as the connection
/// limit; with every one of those serving nobody accepts and further connections wait in the
/// backlog, as in p0f, under the eye of <see cref="ApiOverflowWatch"/>. Threads are kept for
/// the next connection rather than ended, since clients such as rspamd's p0f module connect
/// once per message.
/// </summary>
internal sealed class ApiConnectionPool
{
    private readonly ApiServer _server;
    private readonly int _listenerFd;
    private readonly int _maxClients;
    private readonly int _stackSize;
    private readonly Lock _gate = new();
    private ApiConnectionThread[] _all = [];
    private ApiOverflowWatch? _watch;
    private int _serving; // changed under _gate, read without it
    private long _accepted;
    private bool _stopped;
    private int _acceptFailing;
    private int _startFailing;

    public ApiConnectionPool(ApiServer server, int listenerFd, int maxClients, int stackSize)
    {
        _server = server;
        _listenerFd = listenerFd;
        _maxClients = maxClients;
        _stackSize = stackSize;
    }

    /// <summary>Every thread started (for counters and shutdown).</summary>
    public ApiConnectionThread[] Threads => Volatile.Read(ref _all);

    public int ListenerFd => _listenerFd;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Active => Volatile.Read(ref _serving);

    public bool AllSlotsBusy => Volatile.Read(ref _serving) >= _maxClients;

    /// <summary>Starts the first thread waiting for a connection.</summary>
    /// <exception cref="ApiSocketException">No thread could be started.</exception>
    public void Start(ApiOverflowWatch watch)
    {
        _watch = watch;
        ApiConnectionThread first;
        lock (_gate)
        {
            first = Add();
        }

        try
        {
            first.Start();
        }
        catch (Exception e) when (e is OutOfMemoryException or ThreadStartException)
        {
            throw new ApiSocketException("No thread for the API could be started.", e.Message, e);
        }
    }

    /// <summary>
    /// accept() failed other than transiently (descriptors or memory ran out): warned once until
    /// it works again, since every waiting thread retries.
    /// </summary>
    public void AcceptFailed(int errno)
    {
        if (Interlocked.Exchange(ref _acceptFailing, 1) == 0)
        {
            _server.Warn($"accept() on the API socket failed: {LinuxSockets.Describe(errno)}; connections wait in the backlog meanwhile.");
        }
    }

    /// <summary>accept() returned a connection: a later failure is news again.</summary>
    public void AcceptWorks()
    {
        if (Volatile.Read(ref _acceptFailing) != 0 && Interlocked.Exchange(ref _acceptFailing, 0) != 0)
        {
            _server.Warn("accept() on the API socket works again.");
        }
    }

    /// <summary>A thread has accepted a connection and is about to serve it.</summary>
    public void ConnectionStarted()
    {
        bool full;
        lock (_gate)
        {
            Volatile.Write(ref _serving, _serving + 1);
            full = _serving >= _maxClients;
        }

        Interlocked.Increment(ref _accepted);
        _watch!.NoteAccepted();
        EnsureOneAccepting();
        if (full)
        {
            _watch.Wake(); // no thread is in accept() now: the watch looks at the listener
        }
    }

    /// <summary>True after a thread could not be started, until one could.</summary>
    public bool ThreadStartFailing => Volatile.Read(ref _startFailing) != 0;

    /// <summary>
    /// Starts one more thread when every thread is serving and the limit allows more, so that
    /// one waits in accept(). Called after each accept and, while starting threads fails, by
    /// the watch from time to time.
    /// </summary>
    public void EnsureOneAccepting()
    {
        ApiConnectionThread another;
        lock (_gate)
        {
            if (_serving < _all.Length || _all.Length >= _maxClients || _stopped)
            {
                // No thread needed (any more): a failure to start one is moot.
                Volatile.Write(ref _startFailing, 0);
                return;
            }

            another = Add();
        }

        string? failure = null;
        try
        {
            another.Start();
        }
        catch (Exception e) when (e is OutOfMemoryException or ThreadStartException)
        {
            failure = $"{e.GetType().Name}: {e.Message}";
        }

        if (failure is null)
        {
            if (Volatile.Read(ref _startFailing) != 0 && Interlocked.Exchange(ref _startFailing, 0) != 0)
            {
                _server.Warn("Threads for API connections start again.");
            }
        }
        else
        {
            lock (_gate)
            {
                Volatile.Write(ref _all, [.. _all.Where(t => t != another)]);
            }

            if (Interlocked.Exchange(ref _startFailing, 1) == 0)
            {
                _server.Warn($"Could not start a thread for API connections ({failure}); " +
                             "new connections wait in the backlog until it can.");
            }

            _watch!.Wake(); // it retries
        }
    }

    /// <summary>A thread has finished its connection and goes back to accept().</summary>
    public void ConnectionEnded()
    {
        bool wasFull;
        lock (_gate)
        {
            wasFull = _serving >= _maxClients;
            Volatile.Write(ref _serving, _serving - 1);
        }

        if (wasFull || _watch!.InEpisode)
        {
            _watch!.Wake();
        }
    }

    /// <summary>Ends every connection being served; threads in accept() are woken by the listener's shutdown.</summary>
    public void Stop()
    {
        ApiConnectionThread[] all;
        lock (_gate)
        {
            _stopped = true;
            all = _all;
        }

        foreach (ApiConnectionThread thread in all)
        {
            thread.Stop();
        }
    }

    /// <summary>Waits for the threads until <paramref name="deadline"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp); true if all ended.</summary>
    public bool Join(long deadline)
    {
        bool allEnded = true;
        foreach (ApiConnectionThread thread in Threads)
        {
            allEnded &= ThreadJoin.Before(thread.Thread, deadline);
        }

        return allEnded;
    }

    private ApiConnectionThread Add()
    {
        var thread = new ApiConnectionThread(_server, this, _all.Length + 1, _stackSize);
        Volatile.Write(ref _all, [.. _all, thread]);
        return thread;
    }
}
