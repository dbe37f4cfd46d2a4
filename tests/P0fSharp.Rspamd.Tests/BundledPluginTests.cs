using System.Net;
using P0fSharp.Rspamd.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Rspamd.Tests;

/// <summary>What only the bundled plugin does: header hygiene, scored patterns, robust reads, coexistence.</summary>
public sealed class BundledPluginTests(RspamdWorld world, ITestOutputHelper output) : Scenario(world, output)
{
    [E2eFact]
    public void Forged_fingerprint_header_is_removed_and_ours_added()
    {
        RspamdInstance rspamd = Rspamd(Profiles.Bundled, World.DaemonSocket);
        ScanResult result = Scan(rspamd, World.MessageForged, NetworkLab.ClientV4);

        Assert.Equal(0, result.RemovedHeader(Profiles.Header)); // 0: every copy the message came with
        Assert.StartsWith(AnswerV4.OsString + "; link=", result.AddedHeader(Profiles.Header), StringComparison.Ordinal);
    }

    [E2eFact]
    public void Pattern_symbol_carries_its_own_score_and_uptime_is_reported()
    {
        RspamdInstance rspamd = Rspamd(Profiles.Bundled, Fake.SocketPath);
        Fake.Mode = FakeMode.Ok;
        ScanResult result = Scan(rspamd, World.MessageV4, IPAddress.Parse("203.0.113.20"));

        Assert.Equal(FakeDaemon.OkOptions, result.Options(Profiles.Verdict));
        Assert.Equal(["FakeOS 1.0"], result.Options("E2E_FAKE"));
        Assert.Equal(0.5, result.Score("E2E_FAKE"));
        Assert.False(result.Has("E2E_LINUX"));
        Assert.Equal("FakeOS 1.0; link=Fake link; distance=7; uptime=4321min; ip=203.0.113.20", result.AddedHeader(Profiles.Header));
    }

    [E2eTheory]
    [InlineData(FakeMode.Split)]
    [InlineData(FakeMode.Slow)]
    public void Answer_in_two_writes_or_late_but_within_the_timeout_is_used(FakeMode mode)
    {
        RspamdInstance rspamd = Rspamd(Profiles.Bundled, Fake.SocketPath);
        Fake.Mode = mode;
        Fake.Delay = TimeSpan.FromSeconds(RspamdInstance.TimeoutSeconds / 4);
        long mark = rspamd.LogMark();
        ScanResult result = Scan(rspamd, World.MessageV4, IPAddress.Parse("203.0.113.21"));

        Assert.Equal(FakeDaemon.OkOptions, result.Options(Profiles.Verdict));
        Assert.False(result.Has(Profiles.Failure), result.ToString());
        Assert.Empty(PluginFailureLines(rspamd.LogSince(mark)));
    }

    [E2eFact]
    public void With_the_stock_module_enabled_the_plugin_stays_off_and_says_why()
    {
        // the stock profile installs the plugin too, and sets enabled = true in the p0f section
        RspamdInstance rspamd = Rspamd(Profiles.Stock, World.DaemonSocket);
        ScanResult result = Scan(rspamd, World.MessageV4, NetworkLab.ClientV4);

        Assert.Equal(AnswerV4.StockOptions, result.Options(Profiles.Verdict));
        Assert.Null(result.AddedHeader(Profiles.Header));
        Assert.Contains(rspamd.LogSince(0), l => l.Contains("p0fsharp: the stock p0f module is enabled", StringComparison.Ordinal));
    }

    [E2eFact]
    public void Plugin_registers_its_symbols_and_logs_its_settings()
    {
        RspamdInstance rspamd = Rspamd(Profiles.Bundled, World.DaemonSocket);
        IReadOnlyList<string> log = rspamd.LogSince(0);

        Assert.DoesNotContain(log, l => l.Contains("already seen module", StringComparison.Ordinal));
        string settings = Assert.Single(log, l => l.Contains("p0fsharp: socket ", StringComparison.Ordinal));
        Output.WriteLine(settings);
        foreach (string part in new[]
        {
            $"socket {rspamd.SocketRoute},", "symbol P0F,", "failure symbol P0F_FAIL,", "header X-OS-Fingerprint,", "2 patterns,", "cache off",
        })
        {
            Assert.Contains(part, settings, StringComparison.Ordinal);
        }

        Assert.Empty(PluginErrors(log));
    }

    [E2eFact]
    public void Shipped_files_pass_rspamadm_configtest_with_the_documented_settings()
    {
        // a packaged /etc/rspamd plus rspamd/ copied in as README.md says, nothing else
        string etc = Path.Combine(World.WorkDir, "configtest");
        Command.Check("cp", "-a", "/etc/rspamd", etc);
        Command.Check("cp", "-r",
            Path.Combine(World.RepoRoot, "rspamd", "plugins.d"),
            Path.Combine(World.RepoRoot, "rspamd", "modules.d"),
            Path.Combine(World.RepoRoot, "rspamd", "local.d"),
            etc);
        string[] vars = ["--var=CONFDIR=" + etc, "--var=LOCAL_CONFDIR=" + etc, "--var=DBDIR=" + Path.Combine(World.WorkDir, "configtest-db")];
        string conf = Path.Combine(etc, "rspamd.conf");

        CommandResult test = Command.Run(NetworkLab.In(World.Lab!.ServerNs, ["rspamadm", .. vars, "configtest", "-c", conf]), TimeSpan.FromSeconds(120));
        Assert.True(test.Ok, test.ToString());
        Assert.Contains("syntax OK", test.Stdout, StringComparison.Ordinal);

        CommandResult dump = Command.Run(NetworkLab.In(World.Lab.ServerNs, ["rspamadm", .. vars, "configdump", "-c", conf, "p0f", "p0fsharp"]), TimeSpan.FromSeconds(120));
        Assert.True(dump.Ok, dump.ToString());
        Assert.Contains("socket = \"/run/p0f/p0f.sock\";", dump.Stdout, StringComparison.Ordinal);
        Assert.Contains("header = \"X-OS-Fingerprint\";", dump.Stdout, StringComparison.Ordinal);
        Assert.Contains("symbol = \"P0F\";", dump.Stdout, StringComparison.Ordinal);
        // the stock module stays off (packaged default), the plugin's own section switches it on
        Assert.Contains("enabled = false;", dump.Stdout.Split("Section p0fsharp")[0], StringComparison.Ordinal);
        Assert.Contains("enabled = true;", dump.Stdout.Split("Section p0fsharp")[1], StringComparison.Ordinal);
    }
}
