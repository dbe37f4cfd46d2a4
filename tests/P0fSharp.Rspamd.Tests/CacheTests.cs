using System.Net;
using P0fSharp.Rspamd.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Rspamd.Tests;

/// <summary>With redis configured, a verdict is cached and later messages from that client do not reach the daemon.</summary>
public sealed class CacheTests(RspamdWorld world, ITestOutputHelper output) : Scenario(world, output)
{
    [E2eTheory]
    [BothClients]
    public void Cached_verdict_is_served_without_asking_the_daemon(string client)
    {
        RspamdInstance rspamd = Rspamd(Profiles.For(client, redis: true), World.DaemonSocket);
        string key = "p0f" + NetworkLab.ClientV4; // both clients: prefix "p0f" + address
        World.Redis.Execute("DEL", key);
        IReadOnlyList<string> expected = client == "stock" ? AnswerV4.StockOptions : AnswerV4.BundledOptions;

        // 1. a miss: the daemon answers, the raw answer is stored with the expiry
        ScanResult first = Scan(rspamd, World.MessageV4, NetworkLab.ClientV4);
        Assert.Equal(expected, first.Options(Profiles.Verdict));
        byte[] cached = Assert.IsType<byte[]>(World.Redis.GetBytes(key));
        Assert.Equal(P0fApi.AnswerLength, cached.Length);
        P0fAnswer stored = P0fApi.Decode(cached);
        Assert.Equal((AnswerV4.OsName, AnswerV4.OsFlavor, AnswerV4.LinkType, AnswerV4.Distance), (stored.OsName, stored.OsFlavor, stored.LinkType, stored.Distance));
        long ttl = World.Redis.Ttl(key);
        Assert.InRange(ttl, 1, 7200);

        // 2. the same client again, with the socket now leading to a daemon that counts every
        //    connection and would only send garbage: the verdict comes from redis, nobody is asked
        rspamd.Route(Fake.SocketPath);
        Fake.Mode = FakeMode.Garbage;
        int before = Fake.Connections;
        ScanResult second = Scan(rspamd, World.MessageV4, NetworkLab.ClientV4);
        Assert.Equal(expected, second.Options(Profiles.Verdict));
        Assert.False(second.Has(Profiles.Failure), second.ToString());
        Assert.Equal(before, Fake.Connections);
        if (client == "bundled")
        {
            Assert.Equal(first.AddedHeader(Profiles.Header), second.AddedHeader(Profiles.Header));
        }

        // 3. an address redis does not know goes to the (garbage) daemon: the route was live
        ScanResult miss = Scan(rspamd, World.MessageV4, IPAddress.Parse("203.0.113.250"));
        Assert.Equal(before + 1, Fake.Connections);
        Assert.False(miss.Has(Profiles.Verdict), miss.ToString());
        Assert.Null(World.Redis.GetBytes("p0f203.0.113.250")); // failures are not cached
    }
}
