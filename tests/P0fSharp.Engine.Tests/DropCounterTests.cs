using P0fSharp.Engine.Packets;
using P0fSharp.Engine.Tests.Support;
using Xunit;
using static P0fSharp.Engine.Tests.Support.Net;

namespace P0fSharp.Engine.Tests;

/// <summary>
/// Whatever the engine throws away under p0f's limits is counted in <see cref="EngineCounters"/>
/// (the daemon's statistics lines and <c>--stats</c> print them), and the tables stay within
/// the configured caps.
/// </summary>
public sealed class DropCounterTests
{
    private static readonly HostAddress Server = HostAddress.Parse("192.0.2.1");

    private static HostAddress Client(int n) => HostAddress.Parse($"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}");

    [Fact]
    public void Connection_cap_evicts_the_oldest_flows_and_counts_them()
    {
        var net = new Net(options: new EngineOptions { OfflineMode = true, MaxConnections = 4 });
        for (int i = 1; i <= 50; i++)
        {
            net.Send(Client(i), 40000, Server, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn());
            Assert.True(net.Engine.FlowCount <= 5, $"{net.Engine.FlowCount} flows with -m 4");
        }

        EngineCounters c = net.Engine.Counters;
        Assert.Equal(50, c.FlowsCreated);
        Assert.Equal(c.FlowsCreated - net.Engine.FlowCount, c.FlowsEvicted);

        // The SYN+ACK of an evicted flow finds nothing: no syn+ack observation.
        net.Send(Server, 80, Client(1), 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());
        Assert.Empty(net.LinesOf("syn+ack"));
        net.Send(Server, 80, Client(50), 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());
        Assert.Single(net.LinesOf("syn+ack"));
    }

    [Fact]
    public void Host_cap_flood_keeps_the_table_bounded_and_counts_evictions()
    {
        var net = new Net(options: new EngineOptions { OfflineMode = true, MaxConnections = 20, MaxHosts = 100 });
        for (int i = 1; i <= 20_000; i++)
        {
            net.Send(Client(i), 40000, Server, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn(), dt: 0.0001);
            if (i % 3 == 0)
            {
                net.Send(Client(i), 40000, Server, 80, 1001, 0, TcpFlags.Rst, default, Plain(), dt: 0.0001);
            }
        }

        EngineCounters c = net.Engine.Counters;
        Assert.True(net.Engine.HostCount <= 100 + 2 + 20, $"{net.Engine.HostCount} hosts with -m 20,100");
        Assert.Equal(20_001, c.HostsCreated);
        Assert.Equal(c.HostsCreated - c.HostsEvicted - c.HostsExpired, net.Engine.HostCount);
        Assert.True(c.HostsEvicted > 19_000, $"{c.HostsEvicted} hosts evicted");
        Assert.True(c.FlowsEvicted > 0);
        string text = c.Describe(net.Engine.HostCount, net.Engine.FlowCount);
        Assert.Contains($"{c.HostsEvicted} evicted (cap)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Expiry_counts_old_flows_and_idle_hosts()
    {
        var net = new Net(options: new EngineOptions { OfflineMode = true, ConnectionMaxAgeSeconds = 5, HostIdleLimitMinutes = 1 });
        for (int i = 1; i <= 10; i++)
        {
            net.Send(Client(i), 40000, Server, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn());
        }

        net.Advance(120);

        // Expiry runs on every 50th packet (when the second changed): stray ACKs of unknown flows.
        for (int i = 0; i < 50; i++)
        {
            net.Send(Client(900), 1, Server, 80, 1, 1, TcpFlags.Ack, default, Plain(), dt: 0);
        }

        EngineCounters c = net.Engine.Counters;
        Assert.Equal(10, c.FlowsExpired);
        Assert.Equal(11, c.HostsExpired);  // ten clients and the server
        Assert.Equal(0, net.Engine.HostCount);
    }

    [Fact]
    public void Http_give_ups_and_out_of_sequence_segments_are_counted()
    {
        var net = new Net();
        byte[] tooManyHeaders = Message("GET / HTTP/1.1", "\r\n", Enumerable.Range(0, 33).Select(i => $"X-{i}: v").ToArray());
        byte[] longValue = Message("GET / HTTP/1.1", "\r\n", "Host: a", "X-Long: " + new string('v', 1100));
        byte[] endless = Ascii("GET / HTTP/1.1\r\n" + string.Concat(Enumerable.Range(0, 300).Select(i => $"X-{i}: {new string('y', 30)}\r\n")));
        byte[] garbage = [0x16, 0x03, 0x01, 0x00, 0x50, .. new byte[80]];

        net.HttpFlow("10.1.0.1", "192.0.2.1", 40001, [tooManyHeaders], []);
        net.HttpFlow("10.1.0.2", "192.0.2.1", 40002, [longValue, CurlRequest], []);
        net.HttpFlow("10.1.0.3", "192.0.2.1", 40003, endless.Chunk(1400), []);
        net.HttpFlow("10.1.0.4", "192.0.2.1", 40004, [garbage], []);                      // not HTTP: not a give-up
        net.HttpFlow("10.1.0.5", "192.0.2.1", 40005, [CurlRequest], [Ascii("HTTP/1.1 200 OK\r\n" + new string('z', 9000))]);
        net.HttpFlow("10.1.0.6", "192.0.2.1", 40006, [CurlRequest], [NginxResponse]);

        // An out-of-sequence segment on a live flow is ignored and counted.
        net.HttpFlow("10.1.0.7", "192.0.2.1", 40007, [], []);
        net.Send("10.1.0.7", 40007, "192.0.2.1", 80, 999_999, 50001, TcpFlags.Ack | TcpFlags.Psh, CurlRequest, Plain());

        EngineCounters c = net.Engine.Counters;
        Assert.Equal(4, c.HttpAbandoned);                 // 33 headers, 1100-byte value, endless request, endless response
        Assert.Equal(2, c.HttpRequestsFingerprinted);      // 10.1.0.5 and 10.1.0.6
        Assert.Equal(1, c.HttpResponsesFingerprinted);
        Assert.Equal(1, c.SegmentsOutOfSequence);
    }
}
