using P0fSharp.Engine.Packets;
using P0fSharp.Engine.Tests.Support;
using P0fSharp.Signatures;
using Xunit;
using static P0fSharp.Engine.Tests.Support.Net;

namespace P0fSharp.Engine.Tests;

/// <summary>
/// Edge cases beyond the shared vectors. Each test rebuilds one capture of
/// Oracle/http_probes.py segment by segment; Data/x*.log is what the real p0f 3.09b
/// (TZ=UTC, stock database or Data/http_probe.fp) wrote for that capture.
/// </summary>
/// <remarks>
/// p0f parses <c>Date:</c> with an uninitialised <c>tm_isdst</c>; for responses completed in a
/// later segment that stack garbage varies between runs, so p0f itself sometimes adds a
/// spurious <c>date</c> reason there (x02, x07). The logs kept here are p0f runs of the
/// usual, deterministic outcome.
/// </remarks>
public sealed class HttpProbeTests
{
    private const string Server = "192.0.2.1";
    private const string UA = "User-Agent: curl/7.29.0";
    private const string Host = "Host: example.com";
    private const string Acc = "Accept: */*";

    private static readonly Lazy<SignatureDatabase> ProbeDatabase = new(() => SignatureDatabase.Load(TestPaths.Data("http_probe.fp")));

    [Fact]
    public void X01_overlong_value_gives_up_on_http_but_keeps_the_flow()
    {
        var net = new Net();
        TimestampFlow(net, "10.60.0.1", [CurlRequest]);
        TimestampFlow(net, "10.60.0.2", [Ascii(Latin1(CurlRequest).Replace("GET", "POST"))]);
        TimestampFlow(net, "10.60.0.3", [Req(UA, Host, "X-Long: " + new string('a', 1024), Acc)]);
        TimestampFlow(net, "10.60.0.4", [Req(UA, Host, "X-Long: " + new string('a', 1023), Acc)]);
        TimestampFlow(net, "10.60.0.5", [Message("GET / HTTP/1.1", "\n", UA, Host, "X-Long: " + new string('a', 1024), Acc)]);
        TimestampFlow(net, "10.60.0.6", [Message("GET / HTTP/1.1", "\n", UA, Host, "X-Long: " + new string('a', 1025), Acc)]);
        byte[] r = Req(UA, Host, "X-Long: " + new string('a', 1100), Acc);
        TimestampFlow(net, "10.60.0.7", Split(r, 1200));
        AssertProbe("x01_value_too_long", net);
    }

    [Fact]
    public void X02_response_resume_quirk_before_and_beyond_offset_1024()
    {
        var net = new Net();
        string pad = string.Concat(Enumerable.Range(0, 22).Select(i => $"X-Pad-{i:00}: {new string('p', 40)}\r\n"));
        byte[] body = Ascii("HTTP/1.1 200 OK\r\nServer: nginx/1.4.6 (Ubuntu)\r\n" + pad
            + "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\nContent-Type: text/html\r\nConnection: keep-alive\r\n\r\n");
        int date = IndexOf(body, "Date:");
        int pad5 = IndexOf(body, "X-Pad-05");
        int blank = IndexOf(NginxResponse, "\r\n\r\n") + 2;
        var n = Counter("10.61.0.");

        net.HttpFlow(n(), Server, 40000, [CurlRequest], Split(body, date));
        net.HttpFlow(n(), Server, 40000, [CurlRequest], Split(body, date + 3));
        net.HttpFlow(n(), Server, 40000, [CurlRequest], Split(body, 1024));
        net.HttpFlow(n(), Server, 40000, [CurlRequest], [body]);
        net.HttpFlow(n(), Server, 40000, [CurlRequest], Split(body, pad5, date));
        net.HttpFlow(n(), Server, 40000, [CurlRequest], Split(NginxResponse, blank));
        net.HttpFlow(n(), Server, 40000, [CurlRequest], Split(NginxResponse, 10));
        net.HttpFlow(n(), Server, 40000, [CurlRequest], Split(NginxResponse, 14));
        net.HttpFlow(n(), Server, 40000, [CurlRequest], [Ascii("HTTP/1.1 20\r\nServer: nginx/1\r\n\r\n")]);
        net.HttpFlow(n(), Server, 40000, [CurlRequest], [Message("HTTP/1.0 200 OK", "\r\n", "Content-Type: text/html", "Date: Tue, 14 Nov 2023 22:13:20 GMT")]);
        net.HttpFlow(n(), Server, 40000, [CurlRequest[..20]], [NginxResponse]);
        net.HttpFlow(n(), Server, 40000, [CurlRequest], [Ascii("HTTP/2.0 200 OK\r\nServer: x\r\n\r\n")]);
        string many = string.Concat(Enumerable.Range(0, 31).Select(i => $"X-R{i:00}: v\r\n"));
        net.HttpFlow(n(), Server, 40000, [CurlRequest], [Ascii("HTTP/1.1 200 OK\r\nServer: a\r\n" + many + "X-Last: v\r\n\r\n")]);
        net.HttpFlow(n(), Server, 40000, [CurlRequest], [Ascii("HTTP/1.1 200 OK\r\nServer: a\r\n" + many + "\r\n")]);
        net.HttpFlow(n(), Server, 40000, [CurlRequest], [Ascii("HTTP/1.1 200 \u0001K\r\nServer: a\r\n\r\n")]);
        AssertProbe("x02_resp_beyond_1024", net);
    }

    [Fact]
    public void X03_request_line_and_header_parsing()
    {
        var net = new Net();
        var n = Counter("10.62.0.");
        void F(byte[][] request, params byte[][] response) => net.HttpFlow(n(), Server, 40000, request, response);

        foreach (string first in (string[])[
            "GET /" + new string('a', 1000) + " HTTP/1.1", "GET /" + new string('a', 1010) + " HTTP/1.1",
            "GET /" + new string('a', 1009) + " HTTP/1.1", "GET /" + new string('a', 1008) + " HTTP/1.1",
            "GET / HTTP/1.5", "GET / HTTP/1.0", "GET / HTTP/2.0", "GET /HTTP/1.1", "GET / HTTP/1.1\r",
            "GET / \u0080 HTTP/1.1", "GET / \u007f HTTP/1.1", "get / HTTP/1.1", "HEAD /x HTTP/1.1",
            "GET  / HTTP/1.1", "GET http://x/ HTTP/1.1"])
        {
            F([Message(first, "\r\n", UA, Host, Acc)]);
        }

        byte[] r = Req(UA, Host, Acc);
        F(Split(r, 14));
        F(Split(r, 5, 10));
        F(Split(r, 15));
        F([Ascii("GET / HTTP/1.1\r\n\r\n")]);
        F([Cat(r[..^2], Ascii("\n"))]);
        F([Req(" continuation", UA, Host)]);
        F([Req(UA, "Host : x", Acc)]);
        F([Req(UA, "Ho st: x", Acc)]);
        F([Req(UA, "X_Under-score9: v", Host, Acc)]);
        F([Req(UA, "X-Tab:\tvalue", "X-Two:  two", "X-Empty:", "X-Sp: ", "X-CR:\r", Host, Acc)]);
        F([Message("GET / HTTP/1.1", "\n", UA, Host, Acc)]);
        F([Cat(Req(UA, Host, Acc), Req("User-Agent: second", Host))]);
        F([Req("User-Agent: first", "User-Agent: curl/7.29.0", Host, Acc)]);
        F([Req("User-Agent: curl/7.29.0", "User-Agent:", Host, Acc)]);
        F([Req("User-Agent: curl/7.29.0", "User-Agent: \u0001bin", Host, Acc)]);
        F([Req(UA, Host, Acc, "Accept-Language: de", "Accept-Language: fr-FR")]);
        F([Req(UA, Host, Acc, "Accept-Language: de", "Accept-Language:")]);
        F([Req(UA, Host, Acc, "Accept-Language: EN-us")]);
        F([Req(UA, Host, Acc, "Accept-Language: x")]);
        F([Req(UA, Host, Acc, "Accept-Language: zz")]);
        F([Req(UA, Host, Acc, "Accept-Language: e\u0000n")]);
        F([Req(UA, Host, Acc, "X-Forwarded-For: 1.2.3.4")]);
        F([Req(UA, Host, Acc, "X-Forwarded-For:", "Via:")]);
        F([Req("User-Agent: " + new string('u', 300), Host, Acc)]);
        F([Req("User-Agent: a|b]c", Host, "Accept: a|b", "X-U: a|b]c", "Referer: http://x", "Cookie: a=b", "Set-Cookie: x=y")]);
        F([Req("User-Agent: caf\u00e9", Host, "Accept: a\u00e9b", "X-U: \u00e9", "X-N: a\u0000b")]);
        F([Req(UA, Host, "Accept: " + new string('v', 250), "X-Big: " + new string('w', 250))]);
        F([Req("User-Agent: \u0000curl/7.29.0", Host, Acc)]);
        F([Req("user-agent: curl", "HOST: x", "Accept-language: de")]);
        F([Req(UA, Host, Acc, "Cache-Control: no", "Cache-control: no", "x-forwarded-for: 1")]);
        F([Ascii("GET / HTTP/1.1\r\nHost: a\r\n" + new string('X', 9000))]);
        F([Ascii("GET / HTTP/1.1\r\nHost: a\r\nX: " + new string('y', 8300))]);
        F([Req(UA, Host, Acc)], Ascii("SSH-2.0-x\r\n"));
        F([Cat([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03], new byte[40])]);
        F([Ascii("GET / HTTP/1.1\r\nHost: a\r\nX-A: " + new string('b', 10)), Ascii("c\r\nUser-Agent: curl/7.29.0\r\nAccept: */*\r\n\r\n")]);
        F([Ascii("GET / HTTP/1.1\r\nHost: a\r\nX-Abc"), Ascii("def: 1\r\nUser-Agent: curl/7.29.0\r\n\r\n")]);
        F([Ascii("GET / HTTP/1.1\r\nHost: a\r\nX-Abc:"), Ascii(" 1\r\nUser-Agent: curl/7.29.0\r\n\r\n")]);
        F([Ascii("GET / HTTP/1.1\r\nHost: a\r\nX-Abc: 1\r"), Ascii("\nUser-Agent: curl/7.29.0\r\n"), Ascii("\r\n")]);
        string headers31 = string.Concat(Enumerable.Range(0, 31).Select(i => $"X-{i:00}: v\r\n"));
        F([Ascii("GET / HTTP/1.1\r\nHost: a\r\n" + headers31 + "\r\n")]);
        F([Ascii("GET / HTTP/1.1\r\nHost: a\r\n" + headers31 + "\n")]);
        AssertProbe("x03_request_lines", net);
    }

    [Fact]
    public void X04_client_scoring_with_http_os_signatures()
    {
        var net = new Net(ProbeDatabase.Value);
        void F(ushort port, byte[] request, string client = "10.63.0.1") => net.HttpFlow(client, Server, port, [request], []);

        F(40000, Req("User-Agent: a", Host, "X-Os: one"));
        F(40001, Req("User-Agent: a", Host, "X-Os: two"));
        F(40002, Req("User-Agent: a", Host, "X-Os: one"));
        F(40003, CurlRequest);
        F(40004, Req("User-Agent: nothing (Windows)", Host));
        F(40005, Req("User-Agent: a", Host, "X-Os: win"));
        F(40006, Req("User-Agent: a", Host, "X-Os: gen"));
        F(40007, Req("User-Agent: x Tool2 (Windows)", Host, "X-Tool: 2"));
        F(40008, Req(Host, "X-Gen: 1"));

        const string unknown = "10.63.0.2";
        net.Send(unknown, 40000, Server, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn(ipOptions: 4));
        net.Send(Server, 80, unknown, 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());
        net.Send(unknown, 40000, Server, 80, 1001, 50001, TcpFlags.Ack | TcpFlags.Psh, Req("User-Agent: a", Host, "X-Os: one"), Plain());

        F(40000, Req("User-Agent: nothing (Windows)", Host), "10.63.0.3");
        F(40001, Req("User-Agent: curl/7.29.0 HOSTY", Host, Acc), "10.63.0.3");
        F(40002, Req("User-Agent: curl/7.29.0 Linux", Host, Acc), "10.63.0.3");
        F(40003, Req("User-Agent: curl/7.29.0 Linux", Host, Acc), "10.63.0.3");
        F(40004, Req("User-Agent: dishonest Linux", Host, Acc), "10.63.0.3");
        F(40005, Req("User-Agent: curl/7.29.0 Windows Linux", Host, Acc), "10.63.0.3");
        F(40000, Req(UA, Host, Acc, "X-Forwarded-For: 1.1.1.1"), "10.63.0.4");
        F(40000, Req(Host, "X-Gen: 1", "Via: x"), "10.63.0.5");
        F(40000, Req("User-Agent: x", Host, "X-Tool: 2"), "10.63.0.6");
        AssertProbe("x04_scoring", net);
    }

    [Fact]
    public void X05_server_scoring_labels_ports_dates()
    {
        var net = new Net(ProbeDatabase.Value);
        var n = Counter("10.64.0.");
        string server = "192.0.2.70";
        void F(byte[] response, ushort port = 80) => net.HttpFlow(n(), server, 40000, [CurlRequest], [response], serverPort: port);

        const string date = "Date: Tue, 14 Nov 2023 22:13:20 GMT";
        F(Resp("Server: nginx/1.4", date, "Content-Type: text/html"));
        F(Resp("Server: nginx/1.4", "X-Nginx-Other: 1"));
        F(Resp("Server: nginx/1.4", date, "Content-Type: text/html"));
        F(Resp("Server: Apache/2", "X-Apache: 1"));
        F(Resp("Server: weird", "X-Nothing: 1"));
        F(Resp("Server: weird", "X-SrvOs: a"));
        F(Resp("Server: weird", "X-SrvOs: b"));
        F(Resp("Server: weird", "X-SrvOs: w"));
        F(Resp("Server: weird", "X-Nothing: 1"));
        F(Resp("Server: nginx/1.4", date, "Content-Type: text/html"), 8080);
        F(Resp("Server: Apache/2", "X-Apache: 1"), 8080);
        F(Resp("Server: Apache/2", "X-Apache: 1", "Via: 1.1 x"));
        F(Resp("Server: lie", date, "Content-Type: text/html"));

        server = "192.0.2.71";
        foreach (string value in (string[])[
            "Tue, 14 Nov 2023 22:13:20 GMT", "Tue, 14 Nov 2023 22:13:31 GMT", "Tue, 14 Nov 2023 22:14:31 GMT",
            "garbage", "Tue, 14 Nov 2023 22:13:20 GMT"])
        {
            F(Resp("Server: nginx/1.4", "Date: " + value, "Content-Type: a"));
        }

        F(Resp("Server: nginx/1.4", "Date: Tue, 14 Nov 2023 22:13:20 GMT", "Date: bad", "Content-Type: a"));
        foreach (string value in (string[])[
            "Tue, 14 Nov 2023 22:13:09 GMT", "Tue, 14 Nov 2023 22:13:08 GMT", "Thu, 01 Jan 1970 00:00:00 GMT",
            "Wed, 31 Dec 1969 23:59:00 GMT", "Tue, 14 Nov 2023 22:13:20 GMT", "tuesday, 14 november 2023 22:13:40",
            "Tue, 14 Nov 2023 22:13:60"])
        {
            F(Resp("Server: nginx/1.4", "Date: " + value, "Content-Type: a"));
        }

        AssertProbe("x05_server_scoring", net);
    }

    [Fact]
    public void X06_date_values_are_read_as_daylight_time()
    {
        var net = new Net(ProbeDatabase.Value);
        var n = Counter("10.65.0.");
        void F(string server, string date) =>
            net.HttpFlow(n(), server, 40000, [CurlRequest], [Resp("Server: nginx/1.4", "Date: " + date, "Content-Type: a")]);

        const string now = "Tue, 14 Nov 2023 22:13:20 GMT";
        for (int i = 0; i < 3; i++)
        {
            F($"192.0.2.{100 + i}", now);
            F($"192.0.2.{100 + i}", "Thu, 01 Jan 1970 01:00:00 GMT");
        }

        for (int i = 0; i < 3; i++)
        {
            F($"192.0.2.{110 + i}", "Thu, 01 Jan 1970 01:00:00 GMT");
            F($"192.0.2.{110 + i}", now);
        }

        F("192.0.2.120", "Thu, 01 Jan 1970 00:00:00 GMT");
        F("192.0.2.120", now);
        F("192.0.2.121", "Sat, 01 Jul 2023 12:00:00 GMT");
        F("192.0.2.121", "Sat, 01 Jul 2023 12:00:00 GMT");
        AssertProbe("x06_date_isdst", net);
    }

    [Fact]
    public void X07_buffer_limits_keep_alive_ipv6_reordering_tiny_segments()
    {
        var net = new Net();
        var n = Counter("10.66.0.");
        void F(byte[][] request, params byte[][] response) => net.HttpFlow(n(), Server, 40000, request, response);

        string head = "GET / HTTP/1.1\r\nUser-Agent: curl/7.29.0\r\nHost: example.com\r\nAccept: */*\r\nX-Fill: ";
        int fill = 8192 - head.Length - 4;
        byte[] big = Ascii(head + new string('f', 1000) + "\r\nX-F2: " + new string('g', fill - 1000 - 8) + "\r\n\r\n");
        Assert.Equal(8192, big.Length);
        F(Split(big, 1400, 2800, 4200, 5600, 7000), NginxResponse);
        byte[] big2 = Cat(big[..^4], Ascii("h\r\n\r\n"));
        F(Split(big2, 1400, 2800, 4200, 5600, 7000), NginxResponse);

        byte[] r = Ascii("HTTP/1.1 200 OK\r\nServer: nginx/1\r\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"X-{i:00}: {new string('z', 900)}\r\n")));
        F([CurlRequest], Split(r, 1400, 2800, 4200, 5600, 7000, 8400));
        string rb = "HTTP/1.1 200 OK\r\nServer: nginx/1.4\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\nContent-Type: a\r\nX-F: ";
        rb += new string('q', 8192 - rb.Length - 4) + "\r\n\r\n";
        F([CurlRequest], Ascii(rb + "body"));
        F([CurlRequest, Ascii(Latin1(CurlRequest).Replace("curl", "wget"))], NginxResponse);
        F([CurlRequest, Ascii(new string('x', 9000))], NginxResponse);
        F([CurlRequest], NginxResponse, Ascii(Latin1(NginxResponse).Replace("nginx", "Apache")));

        const string v6Client = "2001:db8:66::1", v6Server = "2001:db8::80";
        byte[] layout = [2, 4, 8, 1, 3];
        net.Send(v6Client, 40000, v6Server, 80, 1000, 0, TcpFlags.Syn, default, Fingerprint(6, 64, 0, 28800, 1440, 7, 123456, 0, layout));
        net.Send(v6Server, 80, v6Client, 40000, 5000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, Fingerprint(6, 64, 0, 28560, 1440, 7, 5, 0, layout));
        net.Send(v6Client, 40000, v6Server, 80, 1001, 5001, TcpFlags.Ack | TcpFlags.Psh, CurlRequest, Plain());
        net.Send(v6Server, 80, v6Client, 40000, 5001, 1001 + (uint)CurlRequest.Length, TcpFlags.Ack | TcpFlags.Psh, NginxResponse, Plain());

        string client = "10.66.1.1";
        net.Send(client, 40000, Server, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn());
        net.Send(Server, 80, client, 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());
        var halves = Split(CurlRequest, 30);
        net.Send(client, 40000, Server, 80, 1001 + 30, 50001, TcpFlags.Ack | TcpFlags.Psh, halves[1], Plain());
        net.Send(client, 40000, Server, 80, 1001, 50001, TcpFlags.Ack | TcpFlags.Psh, halves[0], Plain());
        net.Send(client, 40000, Server, 80, 1001, 50001, TcpFlags.Ack | TcpFlags.Psh, halves[0], Plain());
        net.Send(client, 40000, Server, 80, 1001 + 30, 50001, TcpFlags.Ack | TcpFlags.Psh, halves[1], Plain());
        net.Send(Server, 80, client, 40000, 50001, 1001 + (uint)CurlRequest.Length, TcpFlags.Ack | TcpFlags.Psh, NginxResponse, Plain());

        client = "10.66.1.2";
        net.Send(client, 40000, Server, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn());
        net.Send(Server, 80, client, 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());
        net.Send(client, 40000, Server, 80, 1001, 50001, TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin, CurlRequest, Plain());

        F(Chunks(CurlRequest, 1), Chunks(NginxResponse, 7));
        F([CurlRequest], Chunks(NginxResponse, 20));
        F([CurlRequest], Ascii("HTTP/1.1 200 " + new string('O', 1100) + "\r\nServer: nginx/1\r\n\r\n"));
        F([CurlRequest], Ascii("HTTP/1.1 200 " + new string('O', 1100)), Ascii("\r\nServer: nginx/1\r\n\r\n"));
        F([CurlRequest], Ascii("HTTP/1.1 200 OK\r\nServer: nginx/1\r\n" + new string('Y', 33) + ": v\r\n\r\n"));
        F([CurlRequest], Ascii("HTTP/1.1 200 OK\r\nServer: nginx/1\r\n folded\r\n\r\n"));
        F([CurlRequest], Ascii("HTTP/1.0 200 OK\nServer:nginx/1\nContent-Type:\tx\nDate:Tue, 14 Nov 2023 22:13:20 GMT\n\n"));
        AssertProbe("x07_limits", net);
    }

    /// <summary>
    /// http_probes.py tsflow: handshake, option-less data segments, then a FIN with a timestamp
    /// one second later, which reports uptime only if the flow still exists.
    /// </summary>
    private static void TimestampFlow(Net net, string client, byte[][] request)
    {
        net.Send(client, 40000, Server, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn(ts1: 100000));
        net.Send(Server, 80, client, 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck(99));
        uint seq = 1001;
        foreach (byte[] segment in request)
        {
            net.Send(client, 40000, Server, 80, seq, 50001, TcpFlags.Ack | TcpFlags.Psh, segment, Plain());
            seq += (uint)segment.Length;
        }

        net.Send(client, 40000, Server, 80, seq, 50001, TcpFlags.Fin | TcpFlags.Ack, default, Plain(101000), dt: 1.0);
    }

    private static byte[] Req(params string[] headers) => Message("GET / HTTP/1.1", "\r\n", headers);

    private static byte[] Resp(params string[] headers) => Message("HTTP/1.1 200 OK", "\r\n", headers);

    private static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[][] Chunks(byte[] data, int size) => data.Chunk(size).ToArray();

    private static string Latin1(byte[] bytes) => System.Text.Encoding.Latin1.GetString(bytes);

    private static int IndexOf(byte[] data, string text) => data.AsSpan().IndexOf(Ascii(text));

    private static Func<string> Counter(string prefix)
    {
        int next = 0;
        return () => prefix + (++next);
    }

    private static void AssertProbe(string name, Net net) => HttpVectorTests.AssertLog(name, net);
}
