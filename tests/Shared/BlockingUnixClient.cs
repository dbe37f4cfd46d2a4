using System.Net.Sockets;

namespace P0fSharp.Tests.Shared;

/// <summary>
/// A blocking unix-stream client with every wait bounded, for the API tests of more than one
/// test project (compiled into each, see their project files).
/// </summary>
internal class BlockingUnixClient : IDisposable
{
    protected BlockingUnixClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>Exactly <paramref name="count"/> bytes, or an exception (time-out, end of stream).</summary>
    public byte[] Receive(int count)
    {
        byte[] buffer = new byte[count];
        int have = 0;
        while (have < count)
        {
            int n = Socket.Receive(buffer.AsSpan(have));
            if (n == 0)
            {
                throw new IOException($"End of stream after {have} of {count} bytes.");
            }

            have += n;
        }

        return buffer;
    }

    public void Send(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[Socket.Send(data)..];
        }
    }

    /// <summary>True when data or end-of-stream is readable within the time.</summary>
    public bool ReadableWithin(int milliseconds) => Socket.Poll(milliseconds * 1000, SelectMode.SelectRead);

    public void Dispose()
    {
        Socket.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A connected socket whose sends and receives time out after <paramref name="timeoutMs"/>.</summary>
    protected static Socket ConnectSocket(string path, int timeoutMs)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        {
            ReceiveTimeout = timeoutMs,
            SendTimeout = timeoutMs,
        };
        try
        {
            s.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch
        {
            s.Dispose();
            throw;
        }

        return s;
    }
}
