using System.Runtime.CompilerServices;

namespace P0fSharp.Api.Transport;

/// <summary>
/// A thread that waits in <c>accept()</c> for a connection, serves it with blocking recv /
/// send, and goes back to <c>accept()</c> (see <see cref="ApiConnectionPool"/>). Blocking calls
/// on a thread of its own let the kernel hand each query from the client straight to the
/// thread that answers it (and often run the two on one CPU) instead of funnelling every
/// connection through one event loop: on a 2-CPU machine that measured a fifth to a quarter
/// more queries per second with 8 clients and about as many with 32, in C as in this server
/// (see README, benchmarks). The connection limit (<c>-S</c>, at most 100) bounds the number
/// of threads.
/// </summary>
/// <remarks>
/// Per connection: bytes are collected until 21 are present (partial reads are normal), every
/// complete query of one read is answered from a host snapshot taken at that moment, and the
/// answers go out with one send. A client that stops reading blocks only this thread, in send;
/// a client that stops mid-query only this thread, in recv. Shutting the descriptor down
/// (<see cref="Stop"/>) wakes either; shutting the listener down wakes <c>accept()</c>.
/// </remarks>
internal sealed unsafe class ApiConnectionThread
{
    private const int QueriesPerRead = 64;
    private const int RetryMilliseconds = 100;

    private readonly ApiServer _server;
    private readonly ApiConnectionPool _pool;
    private readonly Thread _thread;
    private readonly string _name;

    // The descriptor being served, guarded so that Stop never shuts down a number already
    // closed and perhaps reused by someone else.
    private readonly Lock _fdGate = new();
    private int _fd = -1;

    private long _ok;
    private long _noMatch;
    private long _bad;
    private long _dropped;

    public ApiConnectionThread(ApiServer server, ApiConnectionPool pool, int number, int stackSize)
    {
        _server = server;
        _pool = pool;
        _name = $"p0f-api-{number}";
        _thread = new Thread(Run, stackSize) { IsBackground = true };
    }

    public Thread Thread => _thread;

    public long QueriesOk => Interlocked.Read(ref _ok);

    public long QueriesNoMatch => Interlocked.Read(ref _noMatch);

    public long QueriesBad => Interlocked.Read(ref _bad);

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Start() => _thread.Start();

    /// <summary>Server shutdown: ends the connection being served (a wait in accept() ends with the listener's shutdown).</summary>
    public void Stop()
    {
        lock (_fdGate)
        {
            if (_fd >= 0)
            {
                LinuxSockets.ShutdownBoth(_fd);
            }
        }
    }

    private void Run()
    {
        // Named here rather than before the start: naming another thread opens a /proc file,
        // a descriptor that may be short just when a thread is started.
        Thread.CurrentThread.Name = _name;
        while (!_server.Stopping)
        {
            int fd = LinuxSockets.Accept(_pool.ListenerFd);
            if (fd < 0)
            {
                int errno = LinuxSockets.LastError;
                if (_server.Stopping)
                {
                    return; // the listener was shut down (EINVAL)
                }

                if (errno is not (LinuxSockets.EINTR or LinuxSockets.ECONNABORTED or LinuxSockets.EAGAIN))
                {
                    // e.g. EMFILE, which accept() returns before it waits, whether or not a
                    // connection is there: the connection (if any) stays in the backlog. Try
                    // again a little later, and only once one waits, rather than spin.
                    _pool.AcceptFailed(errno);
                    Thread.Sleep(RetryMilliseconds);
                    LinuxSockets.WaitReadable(_pool.ListenerFd);
                }

                continue;
            }

            _pool.AcceptWorks();

            lock (_fdGate)
            {
                _fd = fd;
            }

            _pool.ConnectionStarted();

            // Read after publishing _fd: either Stop sees the descriptor or this sees Stopping.
            bool clean = !_server.Stopping && Serve(fd);
            lock (_fdGate)
            {
                LinuxSockets.Close(fd);
                _fd = -1;
            }

            if (!clean)
            {
                Interlocked.Increment(ref _dropped);
            }

            _pool.ConnectionEnded();
        }
    }

    /// <summary>Serves until the connection ends; true when the client closed cleanly between queries.</summary>
    [SkipLocalsInit] // every byte is written before it is read
    private bool Serve(int fd)
    {
        const int q = ApiProtocol.QuerySize;
        const int r = ApiProtocol.ResponseSize;

        // On the thread's stack rather than in arrays on the GC heap: measured on 2026-12-05
        // (32 clients, alternating pairs on lo) 8 % more queries per second and a 12 % lower
        // p99 (98.3k against 91.1k, 901 against 1,030 µs, medians of 8 pairs; 6 more pairs
        // agreed) for the kernel's copies into and out of them.
        byte* input = stackalloc byte[q * QueriesPerRead];
        byte* output = stackalloc byte[r * QueriesPerRead];
        int inputLength = 0;
        while (true)
        {
            nint read = LinuxSockets.Receive(fd, input + inputLength, (q * QueriesPerRead) - inputLength);
            if (read == 0)
            {
                // End of stream: clean between queries, a drop in the middle of one or at shutdown.
                return inputLength == 0 && !_server.Stopping;
            }

            if (read < 0)
            {
                if (LinuxSockets.LastError == LinuxSockets.EINTR)
                {
                    continue;
                }

                return false;
            }

            inputLength += (int)read;
            int queries = inputLength / q;
            for (int i = 0; i < queries; i++)
            {
                if (!Answer(new ReadOnlySpan<byte>(input + (i * q), q), new Span<byte>(output + (i * r), r)))
                {
                    return false;
                }
            }

            if (queries > 0)
            {
                new ReadOnlySpan<byte>(input + (queries * q), inputLength - (queries * q)).CopyTo(new Span<byte>(input, q * QueriesPerRead));
                inputLength -= queries * q;
                if (!SendAll(fd, output, queries * r))
                {
                    return false;
                }
            }
        }
    }

    private static bool SendAll(int fd, byte* output, int length)
    {
        int sent = 0;
        while (sent < length)
        {
            nint n = LinuxSockets.Send(fd, output + sent, length - sent);
            if (n > 0)
            {
                sent += (int)n;
            }
            else if (n < 0 && LinuxSockets.LastError == LinuxSockets.EINTR)
            {
                continue;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    private bool Answer(ReadOnlySpan<byte> query, Span<byte> response)
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
}
