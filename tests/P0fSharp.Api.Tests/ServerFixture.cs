using P0fSharp.Api.Tests.Support;
using P0fSharp.Engine.Hosts;

namespace P0fSharp.Api.Tests;

/// <summary>A started server on a fresh path, with its warnings; disposing removes both.</summary>
internal sealed class RunningServer : IDisposable
{
    private readonly TempSocketDir _dir = new();

    public RunningServer(IHostLookup? lookup = null, int maxClients = ApiProtocol.DefaultMaxClients,
        Func<ApiServerOptions, ApiServerOptions>? configure = null)
    {
        Path = _dir.File();
        var options = new ApiServerOptions { SocketPath = Path, MaxClients = maxClients };
        Server = new ApiServer(configure is null ? options : configure(options), lookup ?? FakeLookup.Standard(), Warnings.Sink);
        Server.Start();
    }

    public string Path { get; }

    public ApiServer Server { get; }

    public Warnings Warnings { get; } = new();

    public TestClient Connect() => TestClient.Connect(Path);

    public void Dispose()
    {
        Server.Dispose();
        _dir.Dispose();
    }
}
