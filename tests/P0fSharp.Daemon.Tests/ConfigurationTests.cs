using System.Text.Json;
using P0fSharp.Daemon.Tests.Support;
using Xunit;

namespace P0fSharp.Daemon.Tests;

/// <summary>
/// Issue 4, configuration: a JSON file (keys = long option names) and P0FSHARP_* variables
/// set the same options as the command line, under it; the shipped default configuration
/// monitors tcp port 25; an offline run (-r) takes only analysis settings from them.
/// </summary>
public sealed class ConfigurationTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [Fact]
    public void AConfigurationFileAloneRunsTheDaemonWithItsFilterSocketAndLimits()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        lab.StartListener(25, 80);
        string socket = dir.File("api.sock");
        string config = dir.File("p0fsharp.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["interface"] = lab.ServerIf,
            ["filter"] = "tcp port 25",
            ["socket"] = socket,
            ["api-max-conn"] = 3,
            ["socket-mode"] = "0600",
            ["stats-interval"] = 0,
        }));

        using ChildProcess daemon = Daemons.StartOurs(lab, lab.ServerNs, dir, [], config: config);
        P0fApi.WaitUntilListening(socket, daemon, Daemons.StartTimeout);
        daemon.WaitForStdout(l => l == "[+] Entered main event loop.", Daemons.StartTimeout, "the main loop");
        Assert.Contains($"[+] Intercepting traffic on interface '{lab.ServerIf}'.", daemon.StdoutLines);
        Assert.Contains("[+] Custom filtering rule enabled: tcp port 25 [+VLAN]", daemon.StdoutLines);
        Assert.Contains($"[+] Listening on API socket '{socket}' (max 3 clients).", daemon.StdoutLines);
        Assert.Equal("600", Cmd.Check("stat", "-c", "%a", socket).Stdout.Trim());

        // Port 25 traffic is seen, port 80 traffic is filtered out.
        Assert.Equal(2, lab.Connect(NetLab.ClientV4(1), NetLab.ServerV4, 80, 2));
        Assert.Equal(2, lab.Connect(NetLab.ClientV4(0), NetLab.ServerV4, 25, 2));
        Assert.Equal(2u, P0fApi.AskUntil(socket, NetLab.ClientV4(0), a => a.TotalConn >= 2, Settle).TotalConn);
        Assert.Equal(P0fAnswer.NoMatch, P0fApi.Ask(socket, NetLab.ClientV4(1)).Status);
    }

    [Fact]
    public void TheShippedDefaultConfigurationMonitorsTcpPort25()
    {
        string shipped = Path.Combine(Paths.RepoRoot, "packaging", "p0fsharp.json");
        Assert.True(File.Exists(shipped), $"The shipped default configuration {shipped} is missing.");
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllText(shipped)))
        {
            Assert.Equal("tcp port 25", doc.RootElement.GetProperty("filter").GetString());
        }

        // Its interface, socket and log are the installed system's; the command line overrides them.
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        string socket = dir.File("api.sock");
        using ChildProcess daemon = Daemons.StartOurs(lab, lab.ServerNs, dir,
            ["-i", lab.ServerIf, "-s", socket, "-o", dir.File("p0f.log")], config: shipped);
        P0fApi.WaitUntilListening(socket, daemon, Daemons.StartTimeout);
        daemon.WaitForStdout(l => l == "[+] Entered main event loop.", Daemons.StartTimeout, "the main loop");
        Assert.Contains("[+] Custom filtering rule enabled: tcp port 25 [+VLAN]", daemon.StdoutLines);
    }

    [Fact]
    public void EnvironmentVariablesSetOptionsAndTheCommandLineWins()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        string socket = dir.File("api.sock");
        var env = new Dictionary<string, string>
        {
            ["P0FSHARP_FILTER"] = "tcp port 25",
            ["P0FSHARP_API_MAX_CONN"] = "7",
            ["P0FSHARP_SOCKET"] = dir.File("not-this.sock"),
        };
        using ChildProcess daemon = Daemons.StartOurs(lab, lab.ServerNs, dir, ["-i", lab.ServerIf, "-s", socket], environment: env);
        P0fApi.WaitUntilListening(socket, daemon, Daemons.StartTimeout);
        daemon.WaitForStdout(l => l == "[+] Entered main event loop.", Daemons.StartTimeout, "the main loop");
        Assert.Contains("[+] Custom filtering rule enabled: tcp port 25 [+VLAN]", daemon.StdoutLines);
        Assert.Contains($"[+] Listening on API socket '{socket}' (max 7 clients).", daemon.StdoutLines);
        Assert.False(File.Exists(dir.File("not-this.sock")));
    }

    [Fact]
    public void AnOfflineRunTakesOnlyAnalysisSettingsFromTheConfiguration()
    {
        using var dir = new TempDir();
        string config = dir.File("p0fsharp.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["interface"] = "p0fsnosuchif0",
            ["filter"] = "tcp port 9",
            ["socket"] = dir.File("api.sock"),
            ["log"] = dir.File("service.log"),
            ["user"] = "nobody",
            ["promiscuous"] = true,
        }));

        using ChildProcess plain = Daemons.StartOursHere(dir, ["-r", Paths.SampleCapture]);
        using ChildProcess configured = Daemons.StartOursHere(dir, ["-r", Paths.SampleCapture], config);
        Assert.True(plain.WaitForExit(Daemons.StartTimeout), plain.Transcript());
        Assert.True(configured.WaitForExit(Daemons.StartTimeout), configured.Transcript());
        Assert.Equal(0, configured.ExitCode);
        Assert.Equal(plain.StdoutLines[^1], configured.StdoutLines[^1]); // "All done. Processed N packets." — unfiltered
        Assert.Contains("[+] Default packet filtering configured [+VLAN].", configured.StdoutLines);
        Assert.False(File.Exists(dir.File("api.sock")));
        Assert.False(File.Exists(dir.File("service.log")));
        Assert.DoesNotContain(configured.StdoutLines, l => l.StartsWith("[+] Privileges dropped", StringComparison.Ordinal));
    }
}
