using System.Text;
using P0fSharp.Engine.Http;
using P0fSharp.Engine.Observations;
using P0fSharp.Engine.Packets;
using P0fSharp.Engine.Tests.Support;
using P0fSharp.Signatures.Tcp;
using Xunit;
using static P0fSharp.Engine.Tests.Support.Net;

namespace P0fSharp.Engine.Tests;

/// <summary>Hostile traffic: no exceptions, bounded per-flow memory, no steady-state allocation.</summary>
public sealed class HttpRobustnessTests
{
    private static readonly HostAddress ServerAddress = HostAddress.Parse("192.0.2.1");

    [Fact]
    public void Random_garbage_in_both_directions()
    {
        var net = new Net();
        var random = new Random(1234);
        byte[][] prefixes = [[], "GET /"u8.ToArray(), "HEAD /"u8.ToArray(), "GET / HTTP/1.1\r\n"u8.ToArray(), "HTTP/1.1 200 OK\r\n"u8.ToArray()];
        for (int f = 0; f < 400; f++)
        {
            var client = HostAddress.Parse($"10.90.{f / 250}.{f % 250 + 1}");
            ushort port = (ushort)(30000 + f);
            uint cs = 1001, ss = 50001;
            net.Send(client, port, ServerAddress, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn());
            net.Send(ServerAddress, 80, client, port, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());
            int segments = random.Next(1, 40);
            for (int s = 0; s < segments; s++)
            {
                byte[] data = new byte[random.Next(0, 3000)];
                random.NextBytes(data);
                if (random.Next(4) == 0)
                {
                    // Mostly printable text with line breaks, to get deeper into the parser.
                    const string alphabet = "abcXYZ:- \r\n\t|]0123456789";
                    for (int i = 0; i < data.Length; i++)
                    {
                        data[i] = (byte)alphabet[data[i] % alphabet.Length];
                    }
                }

                if (s == 0)
                {
                    byte[] prefix = prefixes[random.Next(prefixes.Length)];
                    data = [.. prefix, .. data];
                }

                bool toServer = random.Next(3) != 0;
                if (toServer)
                {
                    uint seq = random.Next(10) == 0 ? (uint)random.Next() : cs;
                    net.Send(client, port, ServerAddress, 80, seq, ss, TcpFlags.Ack | TcpFlags.Psh, data, Plain(), dt: 0.001);
                    cs += seq == cs ? (uint)data.Length : 0;
                }
                else
                {
                    net.Send(ServerAddress, 80, client, port, ss, cs, TcpFlags.Ack | TcpFlags.Psh, data, Plain(), dt: 0.001);
                    ss += (uint)data.Length;
                }
            }
        }

        Assert.All(net.LinesOf("http request", "http response"), l => Assert.Contains("|raw_sig=", l));
    }

    [Fact]
    public void A_million_headers_end_http_at_the_33rd()
    {
        var net = new Net();
        var client = HostAddress.Parse("10.91.0.1");
        net.Send(client, 40000, ServerAddress, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn());
        net.Send(ServerAddress, 80, client, 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());
        int flowsWithHandshake = net.Engine.FlowCount;
        byte[] segment = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("X-Header: value\r\n", 82)));
        uint seq = 1001;
        net.Send(client, 40000, ServerAddress, 80, seq, 50001, TcpFlags.Ack, "GET / HTTP/1.1\r\n"u8, Plain());
        seq += 16;
        for (int i = 0; i < 1_000_000 / 82; i++)
        {
            net.Send(client, 40000, ServerAddress, 80, seq, 50001, TcpFlags.Ack, segment, Plain(), dt: 0.0001);
            seq += (uint)segment.Length;
        }

        Assert.Equal(1, flowsWithHandshake);
        Assert.Equal(0, net.Engine.FlowCount);
        Assert.Empty(net.LinesOf("http request"));
    }

    [Fact]
    public void Headers_that_never_end_stop_at_the_buffer_cap()
    {
        var net = new Net();
        var analyzer = new HttpPayloadAnalyzer(net.Engine);
        net.Engine.SetPayloadAnalyzer(analyzer);
        var client = HostAddress.Parse("10.92.0.1");
        net.Send(client, 40000, ServerAddress, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn());
        net.Send(ServerAddress, 80, client, 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());
        byte[] request = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"X-{i}: {new string('v', 1000)}\r\n")));
        uint seq = 1001;
        foreach (byte[] part in request.Chunk(1400))
        {
            net.Send(client, 40000, ServerAddress, 80, seq, 50001, TcpFlags.Ack, part, Plain());
            seq += (uint)part.Length;
        }

        Assert.Equal(0, net.Engine.FlowCount);
        Assert.Equal(1, analyzer.PooledBuffers);
    }

    [Fact]
    public void Pending_flows_hold_at_most_one_capped_buffer_each()
    {
        var net = new Net(options: new EngineOptions { OfflineMode = true, MaxConnections = 1000 });
        byte[] partial = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a\r\nX-Pending: " + new string('p', 6000));
        GC.Collect();
        long before = GC.GetTotalMemory(true);
        for (int f = 0; f < 4000; f++)
        {
            var client = HostAddress.Parse($"10.93.{f / 250}.{f % 250 + 1}");
            net.Send(client, 40000, ServerAddress, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn(), dt: 0.001);
            net.Send(ServerAddress, 80, client, 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck(), dt: 0.001);
            net.Send(client, 40000, ServerAddress, 80, 1001, 50001, TcpFlags.Ack, partial, Plain(), dt: 0.001);
            net.Send(client, 40000, ServerAddress, 80, 1001 + (uint)partial.Length, 50001, TcpFlags.Ack, partial, Plain(), dt: 0.001);
        }

        Assert.True(net.Engine.FlowCount <= 1001);
        long retained = GC.GetTotalMemory(true) - before;

        // ~1000 live flows with one 8 KB buffer each, plus 4000 host records and log lines.
        Assert.True(retained < 48L << 20, $"{retained} bytes retained");
    }

    [Fact]
    public void Non_http_flows_do_not_allocate_once_warm()
    {
        var net = new Net(sink: new NullSink());
        var clients = Enumerable.Range(1, 50).Select(i => HostAddress.Parse($"10.94.0.{i}")).ToArray();
        byte[] tls = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, .. new byte[200]];
        byte[] banner = "220 mail.example.com ESMTP ready\r\n"u8.ToArray();
        byte[] partialGet = "GET /index.html HTTP/1.1\r\nHost: a\r\n"u8.ToArray();
        var syn = LinuxSyn();
        var synAck = LinuxSynAck();
        var plain = Plain();

        void Round(int round)
        {
            for (int i = 0; i < clients.Length; i++)
            {
                var client = clients[i];
                ushort port = (ushort)(20000 + (round % 1000) * 40 + (i % 40));
                uint isn = (uint)(round * 1000 + i);
                net.Send(client, port, ServerAddress, 80, isn, 0, TcpFlags.Syn, default, syn, dt: 0.001);
                net.Send(ServerAddress, 80, client, port, 7, isn + 1, TcpFlags.Syn | TcpFlags.Ack, default, synAck, dt: 0.001);
                switch (i % 3)
                {
                    case 0:
                        net.Send(client, port, ServerAddress, 80, isn + 1, 8, TcpFlags.Ack, tls, plain, dt: 0.001);
                        break;
                    case 1:
                        net.Send(ServerAddress, 80, client, port, 8, isn + 1, TcpFlags.Ack, banner, plain, dt: 0.001);
                        break;
                    default:
                        net.Send(client, port, ServerAddress, 80, isn + 1, 8, TcpFlags.Ack, partialGet, plain, dt: 0.001);
                        net.Send(client, port, ServerAddress, 80, isn + 1 + (uint)partialGet.Length, 8, TcpFlags.Ack, tls, plain, dt: 0.001);
                        break;
                }
            }
        }

        for (int r = 0; r < 40; r++)
        {
            Round(r);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 40; r < 240; r++)
        {
            Round(r);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1024, $"{allocated} bytes allocated for {200 * clients.Length} flows");
    }

    private sealed class NullSink : IObservationSink
    {
        public void Write(in Observation observation)
        {
        }
    }
}
