using System.Net;
using P0fSharp.Rspamd.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Rspamd.Tests;

/// <summary>
/// The daemon gone, or misbehaving: rspamd keeps scanning; the bundled plugin reports the
/// failure symbol with the reason and logs one line; the stock module does what rspamd 3.4 does.
/// </summary>
public sealed class FailureTests(RspamdWorld world, ITestOutputHelper output) : Scenario(world, output)
{
    private static int s_nextAddress = 100;

    /// <summary>A fresh public address per scan, so no cache or earlier answer can stand in.</summary>
    private static IPAddress Fresh() => IPAddress.Parse($"203.0.113.{Interlocked.Increment(ref s_nextAddress)}");

    [E2eTheory]
    [BothClients]
    public void Stopped_daemon_gives_the_failure_symbol_and_scanning_goes_on(string client)
    {
        string socket = Path.Combine(World.WorkDir, $"stopping-{client}.sock");
        ChildProcess daemon = World.StartDaemon($"stopping-{client}", socket);
        RspamdInstance rspamd = Rspamd(Profiles.For(client), socket);

        AssertNothing(Scan(rspamd, World.MessageV4, Fresh())); // running: "no match"
        daemon.Stop(TimeSpan.FromSeconds(10));
        Output.WriteLine($"daemon stopped (SIGTERM); socket file {(File.Exists(socket) ? "left behind" : "removed")}");

        long mark = rspamd.LogMark();
        ScanResult down = Scan(rspamd, World.MessageV4, Fresh());
        AssertFailure(down, "cannot connect");

        // and the next message is scanned as well, a verdict from elsewhere still works
        rspamd.Route(World.DaemonSocket);
        ScanResult next = Scan(rspamd, World.MessageV4, NetworkLab.ClientV4);
        Assert.True(next.Has(Profiles.Verdict), next.ToString());
        if (client == "bundled")
        {
            IReadOnlyList<string> log = rspamd.LogSince(mark);
            Assert.Single(PluginFailureLines(log));
            Assert.Empty(PluginErrors(log));
        }
    }

    [E2eTheory]
    [InlineData("stock", "stale")]
    [InlineData("bundled", "stale")]
    [InlineData("stock", "missing")]
    [InlineData("bundled", "missing")]
    public void Stale_or_missing_socket_gives_the_failure_symbol(string client, string socket)
    {
        RspamdInstance rspamd = Rspamd(Profiles.For(client), socket == "stale" ? World.StaleSocket : World.MissingSocket);
        long mark = rspamd.LogMark();
        ScanResult result = Scan(rspamd, World.MessageV4, Fresh());

        AssertFailure(result, "cannot connect to the host");
        if (client == "bundled")
        {
            Assert.Single(PluginFailureLines(rspamd.LogSince(mark)));
        }
    }

    [E2eTheory]
    [InlineData(FakeMode.Garbage, "bad answer magic 0x")]
    [InlineData(FakeMode.BadMagic, "bad answer magic 0xdeadbeef")]
    [InlineData(FakeMode.Short, "short answer, 100 of 232 bytes")]
    [InlineData(FakeMode.Long, "oversized answer, 300 bytes")]
    [InlineData(FakeMode.Close, "connection terminated")]
    [InlineData(FakeMode.BadQuery, "bad query")]
    [InlineData(FakeMode.BadStatus, "unknown answer status 0x00000055")]
    [InlineData(FakeMode.Silent, "timeout after")]
    [InlineData(FakeMode.Slow, "timeout after")]
    public void Bundled_plugin_turns_a_bad_answer_into_the_failure_symbol_and_one_log_line(FakeMode mode, string reason)
    {
        RspamdInstance rspamd = Rspamd(Profiles.Bundled, Fake.SocketPath);
        Fake.Mode = mode;
        Fake.Delay = TimeSpan.FromSeconds(RspamdInstance.TimeoutSeconds + 2); // Slow: past the timeout
        long mark = rspamd.LogMark();
        ScanResult result = Scan(rspamd, World.MessageV4, Fresh());

        AssertFailure(result, reason);
        IReadOnlyList<string> log = rspamd.LogSince(mark);
        string line = Assert.Single(PluginFailureLines(log));
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.Empty(PluginErrors(log));
    }

    [E2eTheory]
    [BothClients]
    public void Daemon_saying_no_match_gives_nothing(string client)
    {
        RspamdInstance rspamd = Rspamd(Profiles.For(client), Fake.SocketPath);
        Fake.Mode = FakeMode.NoMatch;
        AssertNothing(Scan(rspamd, World.MessageV4, Fresh()));
    }

    [E2eTheory]
    [InlineData(FakeMode.Silent, "IO timeout")]
    [InlineData(FakeMode.Close, "Error getting result")]
    [InlineData(FakeMode.Short, "Malformed Response")]
    [InlineData(FakeMode.BadQuery, "Malformed Query")]
    public void Stock_module_reports_a_bad_answer_with_its_failure_symbol(FakeMode mode, string reason)
    {
        RspamdInstance rspamd = Rspamd(Profiles.Stock, Fake.SocketPath);
        Fake.Mode = mode;
        AssertFailure(Scan(rspamd, World.MessageV4, Fresh()), reason);
    }

    [E2eFact]
    public void Stock_module_ignores_an_answer_of_garbage()
    {
        // 232 bytes with no valid status: rspamd 3.4's module adds nothing (and does not check the magic)
        RspamdInstance rspamd = Rspamd(Profiles.Stock, Fake.SocketPath);
        Fake.Mode = FakeMode.Garbage;
        AssertNothing(Scan(rspamd, World.MessageV4, Fresh()));
    }
}
