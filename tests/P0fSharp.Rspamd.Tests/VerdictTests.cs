using System.Net;
using P0fSharp.Rspamd.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Rspamd.Tests;

/// <summary>
/// A client in the client namespace sent mail over SMTP while the daemon captured; rspamd then
/// scans that message, told the client's address as an MTA would. Each scenario runs against
/// rspamd's stock p0f module and against the bundled plugin.
/// </summary>
public sealed class VerdictTests(RspamdWorld world, ITestOutputHelper output) : Scenario(world, output)
{
    [E2eTheory]
    [BothClients]
    public void Ipv4_client_gets_the_daemons_verdict(string client)
    {
        RspamdInstance rspamd = Rspamd(Profiles.For(client), World.DaemonSocket);
        long mark = rspamd.LogMark();
        ScanResult result = Scan(rspamd, World.MessageV4, NetworkLab.ClientV4);

        Assert.StartsWith("Linux", AnswerV4.OsString, StringComparison.Ordinal);
        Assert.False(result.Has(Profiles.Failure), result.ToString());
        if (client == "stock")
        {
            // the stock module: P0F[<os>, link=<type>, distance=<n>], and no header of its own
            Assert.Equal(AnswerV4.StockOptions, result.Options(Profiles.Verdict));
            Assert.Null(result.AddedHeader(Profiles.Header));
            return;
        }

        IReadOnlyList<string> options = result.Options(Profiles.Verdict);
        Assert.Equal(AnswerV4.BundledOptions, options);
        Assert.Equal(AnswerV4.OsString, options[0]);
        Assert.Equal("link=" + AnswerV4.LinkType, options[1]);
        Assert.Equal("distance=" + AnswerV4.Distance, options[2]);
        Assert.Equal(0.0, result.Score(Profiles.Verdict));

        // the header for the MTA carries the same facts, and the client's address
        Assert.Equal($"{string.Join("; ", AnswerV4.BundledOptions)}; ip={NetworkLab.ClientV4}", result.AddedHeader(Profiles.Header));

        // pattern symbol from override.d/p0f.conf: patterns { E2E_LINUX = "^Linux"; }
        Assert.Equal([AnswerV4.OsString], result.Options("E2E_LINUX"));
        Assert.False(result.Has("E2E_FAKE"));
        Assert.Empty(PluginErrors(rspamd.LogSince(mark)));
    }

    [E2eTheory]
    [BothClients]
    public void Ipv6_client_gets_the_daemons_verdict(string client)
    {
        RspamdInstance rspamd = Rspamd(Profiles.For(client), World.DaemonSocket);
        ScanResult result = Scan(rspamd, World.MessageV6, NetworkLab.ClientV6);

        Assert.Equal(P0fAnswer.Ok, AnswerV6.Status);
        Assert.False(result.Has(Profiles.Failure), result.ToString());
        if (client == "stock")
        {
            Assert.Equal(AnswerV6.StockOptions, result.Options(Profiles.Verdict));
            return;
        }

        Assert.Equal(AnswerV6.BundledOptions, result.Options(Profiles.Verdict));
        Assert.Equal($"{string.Join("; ", AnswerV6.BundledOptions)}; ip={NetworkLab.ClientV6}", result.AddedHeader(Profiles.Header));
    }

    [E2eTheory]
    [BothClients]
    public void Address_the_daemon_never_saw_gives_no_verdict_and_no_error(string client)
    {
        var never = IPAddress.Parse("198.51.100.77");
        Assert.Equal(P0fAnswer.NoMatch, P0fApi.Ask(World.DaemonSocket, never).Status);

        RspamdInstance rspamd = Rspamd(Profiles.For(client), World.DaemonSocket);
        long mark = rspamd.LogMark();
        ScanResult result = Scan(rspamd, World.MessageV4, never);

        AssertNothing(result);
        if (client == "bundled")
        {
            IReadOnlyList<string> log = rspamd.LogSince(mark);
            Assert.Empty(PluginFailureLines(log));
            Assert.Empty(PluginErrors(log));
        }
    }

    [E2eTheory]
    [BothClients]
    public void Local_and_private_clients_are_not_asked(string client)
    {
        // the fake daemon counts connections: any question would show
        RspamdInstance rspamd = Rspamd(Profiles.For(client), Fake.SocketPath);
        Fake.Mode = FakeMode.Ok;
        int before = Fake.Connections;

        // loopback is local to rspamd itself; the private ranges through Debian's options.local_addrs
        foreach (string address in new[] { "127.0.0.1", "10.1.2.3", "192.168.1.1", "172.16.0.1", "::1", "fd00::1" })
        {
            AssertNothing(Scan(rspamd, World.MessageV4, IPAddress.Parse(address)));
        }

        Assert.Equal(before, Fake.Connections);

        // and a public address through the same route is asked: the count above means something
        ScanResult asked = Scan(rspamd, World.MessageV4, IPAddress.Parse("203.0.113.5"));
        Assert.Equal(before + 1, Fake.Connections);
        Assert.True(asked.Has(Profiles.Verdict), asked.ToString());
    }

    [E2eTheory]
    [BothClients]
    public void Message_without_a_client_address_gives_nothing(string client)
    {
        RspamdInstance rspamd = Rspamd(Profiles.For(client), Fake.SocketPath);
        Fake.Mode = FakeMode.Ok;
        int before = Fake.Connections;
        long mark = rspamd.LogMark();

        // no IP from the "MTA", and no Received header rspamd could take one from
        ScanResult result = Scan(rspamd, World.MessageNoAddress, client: null);

        AssertNothing(result);
        Assert.Equal(before, Fake.Connections);
        if (client == "bundled")
        {
            Assert.Empty(PluginErrors(rspamd.LogSince(mark)));
        }
    }

    [E2eTheory]
    [BothClients]
    public void Without_an_IP_from_the_MTA_the_Received_header_names_the_client(string client)
    {
        // rspamd takes the client address from the first Received header (the sink wrote it)
        RspamdInstance rspamd = Rspamd(Profiles.For(client), World.DaemonSocket);
        ScanResult result = Scan(rspamd, World.MessageV4, client: null);

        IReadOnlyList<string> expected = client == "stock" ? AnswerV4.StockOptions : AnswerV4.BundledOptions;
        Assert.Equal(expected, result.Options(Profiles.Verdict));
    }
}
