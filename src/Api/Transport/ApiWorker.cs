using System.Collections.Concurrent;

namespace P0fSharp.Api.Transport;

/// <summary>
/// One event-loop thread of the API server: its own epoll set over its connections (and, for
/// the first worker, the listening socket), level-triggered, non-blocking descriptors. Every
/// ready connection is served in turn from one <c>epoll_wait</c>: read what has arrived, answer
/// each complete query into the connection's output buffer, send it all with one call. A
/// client that stops reading parks only its own connection (waiting for EPOLLOUT, reading
/// nothing more meanwhile); a client that stops mid-query simply has no complete query.
/// </summary>
internal sealed unsafe class ApiWorker : IDisposable
{
    public const ulong ListenerToken = 0;
    private const ulong WakeToken = 1;
    private const int FirstConnectionToken = 2;
    private const int MaxEvents = 64;

    /// <summary>
    /// Empty polls (each after a yield) before a worker that has just served queries blocks
    /// in epoll_wait, so that the next query is often picked up without a sleep / wake-up
    /// pair. That measured 10-25 % more queries per second on the first 2-core benchmark VM;
    /// on a later one (7 alternating rounds) 16 polls and none were within run-to-run noise
    /// of each other (102k / 110k queries/s with 8 clients, 108k / 98k with 32). An idle
    /// worker costs nothing; a burst ends with at most this many cheap polls.
    /// </summary>
    private const int SpinRounds = 16;
    private const uint ReadEvents = LinuxSockets.EpollIn | LinuxSockets.EpollRdHup;

    private readonly ApiServer _server;
    private readonly ConcurrentQueue<int> _incoming = new();
    private readonly List<ApiConnection?> _connections = [];
    private readonly Stack<int> _freeSlots = new();
    private readonly List<int> _closedInBatch = [];
    private readonly Stack<ApiConnection> _pool = new();
    private readonly Thread _thread;
    private long _ok;
    private long _noMatch;
    private long _bad;
    private long _dropped;

    public ApiWorker(ApiServer server, int number, int stackSize)
    {
        _server = server;
        Epoll = LinuxSockets.CreateEpoll();
        if (Epoll < 0)
        {
            throw new ApiSocketException("epoll_create1() for the API failed.", LinuxSockets.Describe(LinuxSockets.LastError));
        }

        WakeFd = LinuxSockets.CreateEventFd();
        if (WakeFd < 0 || LinuxSockets.Add(Epoll, WakeFd, LinuxSockets.EpollIn, WakeToken) != 0)
        {
            int errno = LinuxSockets.LastError;
            Dispose();
            throw new ApiSocketException("eventfd() for the API failed.", LinuxSockets.Describe(errno));
        }

        _thread = new Thread(Run, stackSize) { IsBackground = true, Name = $"p0f-api-{number}" };
    }

    public int Epoll { get; private set; } = -1;

    public int WakeFd { get; private set; } = -1;

    public Thread Thread => _thread;

    /// <summary>epoll_wait timeout in ms; set by the server on the accepting worker's own thread.</summary>
    public int WaitTimeout { get; set; } = -1;

    public long QueriesOk => Interlocked.Read(ref _ok);

    public long QueriesNoMatch => Interlocked.Read(ref _noMatch);

    public long QueriesBad => Interlocked.Read(ref _bad);

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Start() => _thread.Start();

    public void Wake() => LinuxSockets.Signal(WakeFd);

    /// <summary>Takes over an accepted descriptor; from this worker's thread or, through the queue, from another.</summary>
    public void Adopt(int fd, bool fromThisThread)
    {
        if (fromThisThread)
        {
            Register(fd);
            return;
        }

        _incoming.Enqueue(fd);
        Wake();
    }

    /// <summary>Closes the epoll set and the wake-up descriptor (after the thread has ended).</summary>
    public void Dispose()
    {
        if (Epoll >= 0)
        {
            LinuxSockets.Close(Epoll);
            Epoll = -1;
        }

        if (WakeFd >= 0)
        {
            LinuxSockets.Close(WakeFd);
            WakeFd = -1;
        }
    }

    private void Run()
    {
        byte* events = stackalloc byte[MaxEvents * LinuxSockets.EpollEventSize];
        int spins = 0;
        while (!_server.Stopping)
        {
            int n;
            if (spins > 0)
            {
                // Just served a batch: clients usually send their next query within
                // microseconds, so look again (letting them run first) before sleeping.
                Thread.Yield();
                n = LinuxSockets.Wait(Epoll, events, MaxEvents, 0);
                spins = n > 0 ? SpinRounds : spins - 1;
                if (n == 0)
                {
                    continue;
                }
            }
            else
            {
                n = LinuxSockets.Wait(Epoll, events, MaxEvents, WaitTimeout);
                if (n > 0)
                {
                    spins = SpinRounds;
                }
            }

            if (n < 0)
            {
                int errno = LinuxSockets.LastError;
                if (errno == LinuxSockets.EINTR)
                {
                    continue;
                }

                _server.Warn($"epoll_wait() on the API failed: {LinuxSockets.Describe(errno)}");
                Thread.Sleep(100);
                continue;
            }

            if (n == 0)
            {
                _server.OnAcceptorIdle(this);
                continue;
            }

            // Slots closed during this batch are reused only after it: a later event of the
            // batch may still carry a closed connection's token.
            for (int i = 0; i < n && !_server.Stopping; i++)
            {
                ulong token = LinuxSockets.EventToken(events, i);
                if (token >= FirstConnectionToken)
                {
                    ApiConnection? connection = _connections[(int)(token - FirstConnectionToken)];
                    if (connection is not null)
                    {
                        Serve(connection, LinuxSockets.EventMask(events, i));
                    }
                }
                else if (token == ListenerToken)
                {
                    _server.AcceptPending(this);
                }
                else
                {
                    LinuxSockets.DrainSignal(WakeFd);
                    while (_incoming.TryDequeue(out int fd))
                    {
                        Register(fd);
                    }

                    _server.OnAcceptorIdle(this);
                }
            }

            foreach (int slot in _closedInBatch)
            {
                _freeSlots.Push(slot);
            }

            _closedInBatch.Clear();
        }

        // Shutting down: every connection still open is lost to its client.
        for (int slot = 0; slot < _connections.Count; slot++)
        {
            if (_connections[slot] is { } open)
            {
                Close(open, dropped: true);
            }
        }

        while (_incoming.TryDequeue(out int fd))
        {
            LinuxSockets.Close(fd);
            Interlocked.Increment(ref _dropped);
            _server.ReleaseSlot(registered: false);
        }
    }

    private void Register(int fd)
    {
        if (_server.Stopping)
        {
            LinuxSockets.Close(fd);
            Interlocked.Increment(ref _dropped);
            _server.ReleaseSlot(registered: false);
            return;
        }

        int slot;
        if (_freeSlots.Count > 0)
        {
            slot = _freeSlots.Pop();
        }
        else
        {
            slot = _connections.Count;
            _connections.Add(null);
        }

        ApiConnection connection = _pool.Count > 0 ? _pool.Pop() : new ApiConnection();
        connection.Fd = fd;
        connection.Slot = slot;
        if (LinuxSockets.Add(Epoll, fd, ReadEvents, Token(connection)) != 0)
        {
            _server.Warn($"epoll_ctl() for an API connection failed: {LinuxSockets.Describe(LinuxSockets.LastError)}");
            LinuxSockets.Close(fd);
            connection.Reset();
            _pool.Push(connection);
            _freeSlots.Push(slot);
            Interlocked.Increment(ref _dropped);
            _server.ReleaseSlot(registered: false);
            return;
        }

        _connections[slot] = connection;
        _server.ConnectionRegistered();
    }

    private void Serve(ApiConnection connection, uint events)
    {
        if ((events & LinuxSockets.EpollErr) != 0)
        {
            Close(connection, dropped: true);
            return;
        }

        if (connection.WaitingToWrite)
        {
            // Answers are still queued; a hang-up shows as a failing send.
            if ((events & (LinuxSockets.EpollOut | LinuxSockets.EpollHup)) != 0 && Flush(connection))
            {
                AnswerBuffered(connection);
            }

            return;
        }

        int read;
        fixed (byte* input = connection.Input)
        {
            read = (int)LinuxSockets.Receive(connection.Fd, input + connection.InputLength, connection.Input.Length - connection.InputLength);
        }

        if (read > 0)
        {
            connection.InputLength += read;
            AnswerBuffered(connection);
        }
        else if (read == 0)
        {
            // End of stream: clean between queries, a drop in the middle of one.
            Close(connection, dropped: connection.InputLength != 0);
        }
        else
        {
            int errno = LinuxSockets.LastError;
            if (errno != LinuxSockets.EAGAIN && errno != LinuxSockets.EINTR)
            {
                Close(connection, dropped: true);
            }
        }
    }

    /// <summary>Answers every complete query in the input buffer, sending as it goes.</summary>
    private void AnswerBuffered(ApiConnection connection)
    {
        const int q = ApiProtocol.QuerySize;
        const int r = ApiProtocol.ResponseSize;
        while (true)
        {
            int offset = 0;
            while (connection.InputLength - offset >= q && connection.Output.Length - connection.OutputEnd >= r)
            {
                if (!Answer(connection, connection.Input.AsSpan(offset, q), connection.Output.AsSpan(connection.OutputEnd, r)))
                {
                    return;
                }

                offset += q;
                connection.OutputEnd += r;
            }

            if (offset > 0)
            {
                connection.Input.AsSpan(offset, connection.InputLength - offset).CopyTo(connection.Input);
                connection.InputLength -= offset;
            }

            if (!Flush(connection) || connection.InputLength < q)
            {
                return;
            }
        }
    }

    private bool Answer(ApiConnection connection, ReadOnlySpan<byte> query, Span<byte> response)
    {
        ApiStatus status;
        ApiQuery parsed;
        ApiQueryError error;
        try
        {
            status = ApiProtocol.Answer(query, response, _server.Lookup, out parsed, out error);
        }
#pragma warning disable CA1031 // a failing host lookup loses this client, never the process
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (!_server.Stopping)
            {
                _server.Warn($"API connection dropped after an internal error: {e.Message}");
            }

            Close(connection, dropped: true);
            return false;
        }

        if (error != ApiQueryError.None)
        {
            _server.Warn(ApiProtocol.WarningFor(parsed, error)!);
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

        return true;
    }

    /// <summary>Sends the queued answers; false when the client is not reading (now waiting for EPOLLOUT) or gone.</summary>
    private bool Flush(ApiConnection connection)
    {
        while (connection.OutputStart < connection.OutputEnd)
        {
            nint sent;
            fixed (byte* output = connection.Output)
            {
                sent = LinuxSockets.Send(connection.Fd, output + connection.OutputStart, connection.OutputEnd - connection.OutputStart);
            }

            if (sent > 0)
            {
                connection.OutputStart += (int)sent;
                continue;
            }

            int errno = LinuxSockets.LastError;
            if (sent < 0 && errno == LinuxSockets.EINTR)
            {
                continue;
            }

            if (sent < 0 && errno == LinuxSockets.EAGAIN)
            {
                if (!connection.WaitingToWrite)
                {
                    connection.WaitingToWrite = true;
                    LinuxSockets.Modify(Epoll, connection.Fd, LinuxSockets.EpollOut, Token(connection));
                }

                return false;
            }

            Close(connection, dropped: true);
            return false;
        }

        connection.OutputStart = connection.OutputEnd = 0;
        if (connection.WaitingToWrite)
        {
            connection.WaitingToWrite = false;
            LinuxSockets.Modify(Epoll, connection.Fd, ReadEvents, Token(connection));
        }

        return true;
    }

    private void Close(ApiConnection connection, bool dropped)
    {
        if (connection.Fd < 0)
        {
            return;
        }

        LinuxSockets.Close(connection.Fd); // also leaves the epoll set
        _connections[connection.Slot] = null;
        _closedInBatch.Add(connection.Slot);
        connection.Reset();
        _pool.Push(connection);
        if (dropped)
        {
            Interlocked.Increment(ref _dropped);
        }

        _server.ReleaseSlot(registered: true);
    }

    private static ulong Token(ApiConnection connection) => (ulong)(connection.Slot + FirstConnectionToken);
}
