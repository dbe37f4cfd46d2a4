using P0fSharp.Engine.Packets;
using P0fSharp.Engine.Tests.Support;
using Xunit;
using static P0fSharp.Engine.Tests.Support.Net;

namespace P0fSharp.Engine.Tests;

/// <summary>
/// The shared HTTP vectors (make_vectors.py t25–t28, t37, t38, t40) rebuilt segment by segment
/// and fed through the engine: every log line must equal what the real p0f 3.09b wrote for
/// the same capture (Data/*.log are copies of vectors/out).
/// </summary>
public sealed class HttpVectorTests
{
    private const string Server = "192.0.2.1";

    [Fact]
    public void T25_request_and_response_on_one_flow()
    {
        var net = new Net();
        net.HttpFlow("10.25.0.1", Server, 40000, [CurlRequest], [NginxResponse]);
        AssertLog("t25_http_basic", net);
    }

    [Fact]
    public void T26_language_dishonest_anonymous_pipes_lower_case_post_via()
    {
        var net = new Net();
        net.HttpFlow("10.26.0.1", Server, 40000, [Message("GET /index.html HTTP/1.1", "\r\n",
            "Host: www.example.org",
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:45.0) Gecko/20100101 Firefox/45.0",
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language: de-DE,de;q=0.8,en-US;q=0.5,en;q=0.3",
            "Accept-Encoding: gzip, deflate", "Connection: keep-alive")], []);
        net.HttpFlow("10.26.0.2", Server, 40000, [Message("GET / HTTP/1.1", "\r\n",
            "User-Agent: Mozilla/5.0 Firefox/45.0", "Host: example.com", "Accept: */*")], []);
        net.HttpFlow("10.26.0.3", Server, 40000, [Message("GET / HTTP/1.0", "\r\n",
            "Host: example.com", "X-Custom: a|b]c", "Accept: text/html|x", "Accept-Language: EN")], []);
        net.HttpFlow("10.26.0.4", Server, 40000, [Message("GET / HTTP/1.1", "\r\n",
            "user-agent: curl/7.29.0", "host: example.com", "accept: */*")], []);
        net.HttpFlow("10.26.0.5", Server, 40000, [Message("POST / HTTP/1.1", "\r\n",
            "User-Agent: curl/7.29.0", "Host: example.com", "Accept: */*", "Content-Length: 0")], []);
        net.HttpFlow("10.26.0.6", Server, 40000, [Message("GET / HTTP/1.1", "\r\n",
            "User-Agent: curl/7.29.0", "Host: example.com", "Accept: */*", "Accept-Language: qq", "Via: 1.1 proxy")], []);
        AssertLog("t26_http_variants", net);
    }

    [Fact]
    public void T27_response_split_inside_a_header_loses_it_but_request_split_does_not()
    {
        var net = new Net();
        net.HttpFlow("10.27.0.1", Server, 40000, Split(CurlRequest, 30), Split(NginxResponse, 50));
        net.HttpFlow("10.27.0.2", Server, 40000, [CurlRequest], [NginxResponse]);
        AssertLog("t27_http_split", net);
    }

    [Fact]
    public void T28_user_agent_and_tool_versus_host_os()
    {
        var net = new Net();
        net.HttpFlow("10.28.0.1", Server, 40000, [Message("GET / HTTP/1.1", "\r\n",
            "User-Agent: curl/7.29.0 (Windows)", "Host: example.com", "Accept: */*")], []);
        net.HttpFlow("10.28.0.2", Server, 40000, [Message("GET / HTTP/1.1", "\r\n",
            "Accept: */*", "User-Agent: Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)",
            "Accept-Encoding: gzip, deflate", "Host: x", "Connection: Keep-Alive")], []);

        // A SYN with IP options matches nothing, so the host's OS stays unknown.
        const string client = "10.28.0.3";
        net.Send(client, 40000, Server, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn(ipOptions: 4));
        net.Send(Server, 80, client, 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());
        net.Send(client, 40000, Server, 80, 1001, 50001, TcpFlags.Ack | TcpFlags.Psh, Message("GET / HTTP/1.1", "\r\n",
            "User-Agent: curl/7.29.0 (Linux)", "Host: example.com", "Accept: */*"), Plain());
        AssertLog("t28_http_ua_vs_os", net);
    }

    [Fact]
    public void T37_teardown_spacing_and_bare_line_feeds()
    {
        var net = new Net();
        string client = "10.37.0.1";
        net.Send(client, 40000, Server, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn(), dt: 0);
        net.Send(Server, 80, client, 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());
        net.Send(client, 40000, Server, 80, 1001, 50001, TcpFlags.Rst | TcpFlags.Ack, default, Plain());
        net.Send(client, 40000, Server, 80, 1001, 50001, TcpFlags.Ack | TcpFlags.Psh, CurlRequest, Plain());

        client = "10.37.0.2";
        net.Send(client, 40000, Server, 80, 1000, 0, TcpFlags.Syn, default, LinuxSyn());
        net.Send(client, 40000, Server, 80, 1001, 50001, TcpFlags.Ack, default, Plain());
        net.Send(Server, 80, client, 40000, 50000, 1001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());

        net.HttpFlow("10.37.0.3", Server, 40000,
            [Ascii("GET / HTTP/1.1\nUser-Agent:curl/7.29.0\nHost:  example.com\nAccept:  */*\n\n")],
            [Ascii("HTTP/1.0 404 Not Found\nServer:  Apache/2.2.3\nContent-Type: text/html\nSet-Cookie: a=b\n\n")]);
        AssertLog("t37_flow_teardown", net);
    }

    [Fact]
    public void T38_optional_order_header_limits_split_first_line_languages()
    {
        var net = new Net();
        const string firefox = "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: Mozilla/5.0 Firefox/45.0\r\nAccept: text/html,*/*;q=0.8\r\n";
        net.HttpFlow("10.38.0.1", Server, 40000, [Ascii(firefox
            + "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\nReferer: http://x/\r\nConnection: keep-alive\r\n\r\n")], []);
        net.HttpFlow("10.38.0.2", Server, 40000, [Ascii(firefox
            + "Accept-Encoding: gzip, deflate\r\nAccept-Language: en-US,en;q=0.5\r\nConnection: keep-alive\r\n\r\n")], []);

        string curl = Latin1(CurlRequest);
        string headers29 = string.Concat(Enumerable.Range(0, 29).Select(i => $"X-H{i:00}: v\r\n"));
        net.HttpFlow("10.38.0.3", Server, 40000, [Ascii(curl.Replace("Accept: */*\r\n", "Accept: */*\r\n" + headers29))], []);
        net.HttpFlow("10.38.0.4", Server, 40000, [Ascii(curl.Replace("Accept: */*\r\n", "Accept: */*\r\n" + headers29 + "X-One-More: v\r\n"))], []);
        net.HttpFlow("10.38.0.5", Server, 40000, [Ascii(curl.Replace("Accept: */*\r\n", "Accept: */*\r\n" + new string('X', 32) + ": v\r\n"))], []);
        net.HttpFlow("10.38.0.6", Server, 40000, [Ascii(curl.Replace("Accept: */*\r\n", "Accept: */*\r\n" + new string('X', 33) + ": v\r\n"))], []);
        net.HttpFlow("10.38.0.7", Server, 40000, Split(Ascii(curl.Replace("GET / ", "HEAD / ")), 9), []);

        string[] languages = ["zh-TW", "eng", "en", "*", "e1", "pt_BR"];
        for (int i = 0; i < languages.Length; i++)
        {
            net.HttpFlow($"10.38.1.{i + 1}", Server, 40000, [Ascii($"GET / HTTP/1.1\r\nHost: a\r\nAccept-Language: {languages[i]}\r\n\r\n")], []);
        }

        AssertLog("t38_http_edge", net);
    }

    [Fact]
    public void T40_server_date_going_backwards()
    {
        var net = new Net();
        const string server = "192.0.2.40";
        net.HttpFlow("10.40.0.1", server, 40000, [CurlRequest], [NginxResponse]);
        net.Advance(2.0);

        const string client = "10.40.0.2";
        net.Send(client, 40001, server, 80, 3000, 0, TcpFlags.Syn, default, LinuxSyn(), dt: 0);
        net.Send(server, 80, client, 40001, 90000, 3001, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck(99 + 500));
        net.Send(client, 40001, server, 80, 3001, 90001, TcpFlags.Ack, default, Plain());
        net.Send(client, 40001, server, 80, 3001, 90001, TcpFlags.Ack | TcpFlags.Psh, CurlRequest, Plain());
        byte[] response = Ascii(Latin1(NginxResponse).Replace("22:13:20", "21:00:00"));
        net.Send(server, 80, client, 40001, 90001, 3001 + (uint)CurlRequest.Length, TcpFlags.Ack | TcpFlags.Psh, response, Plain());
        AssertLog("t40_server_uptime_date", net);
    }

    internal static string Latin1(byte[] bytes) => System.Text.Encoding.Latin1.GetString(bytes);

    internal static void AssertLog(string vector, Net net)
    {
        var expected = File.ReadAllLines(TestPaths.Data(vector + ".log"))
            .Select(l => l[(l.IndexOf("] ", StringComparison.Ordinal) + 2)..])
            .ToList();
        Assert.Equal(expected, net.Lines);
    }
}
