using System.Net.Sockets;

namespace P0fSharp.Api.Tests.Support;

/// <summary>A blocking unix-socket client with every wait bounded.</summary>
internal sealed class TestClient : IDisposable
{
    public const int DefaultTimeoutMs = 10_000;

    private TestClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public static TestClient Connect(string path, int timeoutMs = DefaultTimeoutMs)
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

        return new TestClient(s);
    }

    public void Send(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int n = Socket.Send(data);
            data = data[n..];
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes or throws (timeout or end of stream).</summary>
    public byte[] Receive(int count = ApiProtocol.ResponseSize)
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

    public byte[] Ask(byte[] query)
    {
        Send(query);
        return Receive();
    }

    /// <summary>True if something (data or end of stream) becomes readable within the time.</summary>
    public bool ReadableWithin(int milliseconds) => Socket.Poll(milliseconds * 1000, SelectMode.SelectRead);

    public void Dispose() => Socket.Dispose();
}
