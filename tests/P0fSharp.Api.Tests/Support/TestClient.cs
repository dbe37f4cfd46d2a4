using P0fSharp.Tests.Shared;

namespace P0fSharp.Api.Tests.Support;

/// <summary>A blocking unix-socket client with every wait bounded.</summary>
internal sealed class TestClient : BlockingUnixClient
{
    public const int DefaultTimeoutMs = 10_000;

    private TestClient(System.Net.Sockets.Socket socket)
        : base(socket)
    {
    }

    public static TestClient Connect(string path, int timeoutMs = DefaultTimeoutMs) => new(ConnectSocket(path, timeoutMs));

    /// <summary>One answer's worth of bytes, or an exception.</summary>
    public byte[] Receive() => Receive(ApiProtocol.ResponseSize);

    public byte[] Ask(byte[] query)
    {
        Send(query);
        return Receive();
    }
}
