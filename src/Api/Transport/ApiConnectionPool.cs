namespace P0fSharp.Api.Transport;

/// <summary>
/// The connection threads of the API server: an accepted connection goes to an idle thread,
/// or to a new one while fewer exist than connections are being served (so never more than
/// the connection limit). Threads are kept for the next connection rather than ended, since
/// clients such as rspamd's p0f module connect once per message.
/// </summary>
internal sealed class ApiConnectionPool
{
    private readonly ApiServer _server;
    private readonly int _stackSize;
    private readonly Lock _gate = new();
    private readonly Stack<ApiConnectionThread> _idle = new();
    private ApiConnectionThread[] _all = [];
    private bool _stopped;

    public ApiConnectionPool(ApiServer server, int stackSize)
    {
        _server = server;
        _stackSize = stackSize;
    }

    /// <summary>Every thread ever started (for counters and shutdown).</summary>
    public ApiConnectionThread[] Threads => Volatile.Read(ref _all);

    /// <summary>
    /// Serves <paramref name="fd"/> on an idle or a new thread; false when it cannot (the pool is
    /// stopped, or no thread could be started), and then <paramref name="fd"/> is still the caller's.
    /// </summary>
    public bool TryServe(int fd)
    {
        ApiConnectionThread thread;
        lock (_gate)
        {
            if (_stopped)
            {
                return false;
            }

            if (_idle.Count > 0)
            {
                thread = _idle.Pop();
            }
            else
            {
                thread = new ApiConnectionThread(_server, this, _all.Length + 1, _stackSize);
                try
                {
                    thread.Start();
                }
                catch (Exception e) when (e is OutOfMemoryException or ThreadStartException)
                {
                    _server.Warn($"No thread for an API connection: {e.Message}");
                    return false;
                }

                Volatile.Write(ref _all, [.. _all, thread]);
            }
        }

        thread.Hand(fd);
        return true;
    }

    /// <summary>A thread has finished its connection and waits for the next.</summary>
    public void Idle(ApiConnectionThread thread)
    {
        lock (_gate)
        {
            _idle.Push(thread);
        }
    }

    /// <summary>Ends every connection and every thread's wait; later <see cref="TryServe"/> calls refuse.</summary>
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
}
