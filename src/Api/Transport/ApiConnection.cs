namespace P0fSharp.Api.Transport;

/// <summary>
/// One API client on an event-loop worker: its descriptor and fixed buffers for up to 64
/// pipelined queries and their answers. Pooled by the worker, so serving allocates nothing.
/// </summary>
internal sealed class ApiConnection
{
    public const int QueriesPerRead = 64;

    public readonly byte[] Input = new byte[ApiProtocol.QuerySize * QueriesPerRead];
    public readonly byte[] Output = new byte[ApiProtocol.ResponseSize * QueriesPerRead];

    public int Fd = -1;

    /// <summary>Index in the worker's connection table; the epoll token is derived from it.</summary>
    public int Slot;

    /// <summary>Bytes of <see cref="Input"/> not yet answered (less than one query between reads).</summary>
    public int InputLength;

    public int OutputStart;
    public int OutputEnd;

    /// <summary>The client is not reading: waiting for EPOLLOUT, and not reading further queries meanwhile.</summary>
    public bool WaitingToWrite;

    public void Reset()
    {
        Fd = -1;
        InputLength = OutputStart = OutputEnd = 0;
        WaitingToWrite = false;
    }
}
