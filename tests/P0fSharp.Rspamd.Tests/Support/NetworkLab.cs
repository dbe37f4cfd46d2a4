using System.Net;
using System.Security.Cryptography;

namespace P0fSharp.Rspamd.Tests.Support;

/// <summary>
/// Two network namespaces joined by a veth pair, named uniquely per run:
/// the client (192.0.2.10, 2001:db8::10) and the server side (192.0.2.1, 2001:db8::1), where
/// the daemon captures, the SMTP sink listens and rspamd and redis run on loopback. The server
/// namespace has no route out and a resolver it cannot reach, so rspamd's DNS lookups fail at
/// once and nothing leaves the machine; only the unix sockets (files) are shared with the host.
/// </summary>
internal sealed class NetworkLab : IDisposable
{
    public static readonly IPAddress ClientV4 = IPAddress.Parse("192.0.2.10");
    public static readonly IPAddress ServerV4 = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress ClientV6 = IPAddress.Parse("2001:db8::10");
    public static readonly IPAddress ServerV6 = IPAddress.Parse("2001:db8::1");

    private readonly List<string> _created = [];

    public NetworkLab()
    {
        string id = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        ClientNs = $"p0fr{id}c";
        ServerNs = $"p0fr{id}s";
        ServerInterface = $"p0fr{id}s";
        ClientInterface = $"p0fr{id}c";
        try
        {
            Build();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string ClientNs { get; }

    public string ServerNs { get; }

    /// <summary>The server end of the veth: the daemon captures here.</summary>
    public string ServerInterface { get; }

    public string ClientInterface { get; }

    private string ResolvConfDir => Path.Combine("/etc/netns", ServerNs);

    private void Build()
    {
        Ip("netns", "add", ClientNs);
        _created.Add(ClientNs);
        Ip("netns", "add", ServerNs);
        _created.Add(ServerNs);
        Ip("link", "add", ServerInterface, "netns", ServerNs, "type", "veth", "peer", "name", ClientInterface, "netns", ClientNs);
        Ip("-n", ServerNs, "addr", "add", ServerV4 + "/24", "dev", ServerInterface);
        Ip("-n", ServerNs, "addr", "add", ServerV6 + "/64", "dev", ServerInterface, "nodad");
        Ip("-n", ClientNs, "addr", "add", ClientV4 + "/24", "dev", ClientInterface);
        Ip("-n", ClientNs, "addr", "add", ClientV6 + "/64", "dev", ClientInterface, "nodad");
        foreach (string ns in new[] { ServerNs, ClientNs })
        {
            Ip("-n", ns, "link", "set", "lo", "up");
        }

        Ip("-n", ServerNs, "link", "set", ServerInterface, "up");
        Ip("-n", ClientNs, "link", "set", ClientInterface, "up");

        // `ip netns exec` bind-mounts this over /etc/resolv.conf: a TEST-NET resolver without a
        // route fails with ENETUNREACH at once, so rspamd's lookups cost nothing
        Directory.CreateDirectory(ResolvConfDir);
        File.WriteAllText(Path.Combine(ResolvConfDir, "resolv.conf"), "nameserver 203.0.113.53\n");
    }

    /// <summary>The command line that runs <paramref name="command"/> inside namespace <paramref name="ns"/>.</summary>
    public static IReadOnlyList<string> In(string ns, params string[] command) => ["ip", "netns", "exec", ns, .. command];

    /// <summary>Runs <paramref name="create"/> on a thread inside <paramref name="ns"/>: a socket made there stays there.</summary>
    public static T InNamespace<T>(string ns, Func<T> create)
    {
        T? result = default;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                Native.EnterNetworkNamespace(Path.Combine("/run/netns", ns));
                result = create();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        if (error != null)
        {
            throw new InvalidOperationException($"in netns {ns}: {error.Message}", error);
        }

        return result!;
    }

    private static void Ip(params string[] args) => Command.Check(["ip", .. args]);

    public void Dispose()
    {
        // deleting a namespace destroys its end of the veth, and with it the pair
        foreach (string ns in _created)
        {
            Command.Run("ip", "netns", "del", ns);
        }

        _created.Clear();
        try
        {
            Directory.Delete(ResolvConfDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
