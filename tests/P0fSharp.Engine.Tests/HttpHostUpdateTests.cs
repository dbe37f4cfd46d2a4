using P0fSharp.Engine.Packets;
using P0fSharp.Engine.Tests.Support;
using P0fSharp.Signatures;
using Xunit;
using static P0fSharp.Engine.Tests.Support.Net;

namespace P0fSharp.Engine.Tests;

/// <summary>What HTTP observations leave in the host records (the API's view).</summary>
public sealed class HttpHostUpdateTests
{
    private const string Server = "192.0.2.1";

    [Fact]
    public void Application_language_and_dishonesty()
    {
        var net = new Net();
        net.HttpFlow("10.26.0.1", Server, 40000, [Message("GET /index.html HTTP/1.1", "\r\n",
            "Host: www.example.org",
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:45.0) Gecko/20100101 Firefox/45.0",
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language: de-DE,de;q=0.8,en-US;q=0.5,en;q=0.3",
            "Accept-Encoding: gzip, deflate", "Connection: keep-alive")], [NginxResponse]);
        net.HttpFlow("10.26.0.2", Server, 40000, [Message("GET / HTTP/1.1", "\r\n",
            "User-Agent: Mozilla/5.0 Firefox/45.0", "Host: example.com", "Accept: */*")], []);

        var firefox = Host(net, "10.26.0.1");
        Assert.Equal("Firefox", firefox.HttpName);
        Assert.Equal("10.x or newer", firefox.HttpFlavor);
        Assert.Equal("German", firefox.Language);
        Assert.Equal(0, firefox.BadSoftware);
        Assert.Equal("Linux", firefox.OsName);

        var liar = Host(net, "10.26.0.2");
        Assert.Equal("curl", liar.HttpName);
        Assert.Equal(2, liar.BadSoftware);
        Assert.Null(liar.Language);

        var server = Host(net, Server);
        Assert.Equal("nginx", server.HttpName);
        Assert.Equal("1.x", server.HttpFlavor);
        Assert.Null(server.Language);
    }

    [Fact]
    public void User_agent_os_claims_set_and_reset_bad_software()
    {
        var net = new Net();
        const string client = "10.28.0.1";
        net.HttpFlow(client, Server, 40000, [Message("GET / HTTP/1.1", "\r\n", "User-Agent: curl/7.29.0 (Windows)", "Host: a", "Accept: */*")], []);
        Assert.Equal(1, Host(net, client).BadSoftware);
        net.HttpFlow(client, Server, 40001, [Message("GET / HTTP/1.1", "\r\n", "User-Agent: curl/7.29.0 (Linux)", "Host: a", "Accept: */*")], []);
        Assert.Equal(0, Host(net, client).BadSoftware);
        net.HttpFlow(client, Server, 40002, [Message("GET / HTTP/1.1", "\r\n", "User-Agent: wget (Linux)", "Host: a", "Accept: */*")], []);
        Assert.Equal(2, Host(net, client).BadSoftware);
        net.HttpFlow(client, Server, 40003, [Message("GET / HTTP/1.1", "\r\n", "User-Agent: curl/7.29.0 (Windows)", "Host: a", "Accept: */*")], []);
        Assert.Equal(2, Host(net, client).BadSoftware);
    }

    [Fact]
    public void Http_os_signatures_set_the_host_os()
    {
        var net = new Net(SignatureDatabase.Load(TestPaths.Data("http_probe.fp")));
        net.HttpFlow("10.63.0.1", Server, 40000, [Message("GET / HTTP/1.1", "\r\n", "User-Agent: a", "Host: a", "X-Os: one")], []);
        var host = Host(net, "10.63.0.1");
        Assert.Equal("HttpOS", host.OsName);
        Assert.Equal("one", host.OsFlavor);
        Assert.Equal(0, host.OsMatchQuality);
        Assert.Null(host.HttpName);

        net.HttpFlow("10.63.0.1", Server, 40001, [Message("GET / HTTP/1.1", "\r\n", "User-Agent: a", "Host: a", "X-Os: gen")], []);
        host = Host(net, "10.63.0.1");
        Assert.Equal("Linux", host.OsName);
        Assert.Equal("generic-http", host.OsFlavor);
        Assert.Equal(2, host.OsMatchQuality);
    }

    private static Hosts.HostSnapshot Host(Net net, string address)
    {
        Assert.True(net.Engine.TryGetHost(HostAddress.Parse(address), out var snapshot));
        return snapshot;
    }
}
