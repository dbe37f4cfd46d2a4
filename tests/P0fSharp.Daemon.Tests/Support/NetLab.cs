using System.Security.Cryptography;

namespace P0fSharp.Daemon.Tests.Support;

/// <summary>
/// Two network namespaces joined by a veth pair: a "server" namespace where the daemons
/// capture (interface <see cref="ServerIf"/>, 192.0.2.1 and 2001:db8::1) and a "client"
/// namespace (interface <see cref="ClientIf"/>, 198.51.100.10+i and 2001:db8::10+i). Names
/// carry a random suffix so concurrent runs never collide; Dispose kills the children it
/// started (by PID) and deletes both namespaces, which removes the veth pair with them.
/// The root namespace is never touched.
/// </summary>
internal sealed class NetLab : IDisposable
{
    public const string ServerV4 = "192.0.2.1";
    public const string ServerV6 = "2001:db8::1";

    private const string ListenerScript = """
        import select, socket, sys, time
        socks = []
        for port in map(int, sys.argv[1:]):
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            s.bind(('::', port))
            s.listen(128)
            socks.append(s)
        print('ready', flush=True)
        end = time.time() + 900
        while time.time() < end:
            ready, _, _ = select.select(socks, [], [], 1)
            for s in ready:
                c, _ = s.accept()
                c.close()
        """;

    private const string ConnectScript = """
        import socket, sys
        src, dst, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        family = socket.AF_INET6 if ':' in dst else socket.AF_INET
        ok = 0
        for _ in range(count):
            s = socket.socket(family, socket.SOCK_STREAM)
            s.settimeout(5)
            try:
                s.bind((src, 0))
                s.connect((dst, port))
                ok += 1
            except OSError as e:
                print('connect failed:', e, file=sys.stderr)
            finally:
                s.close()
        print(ok)
        """;

    private readonly List<ChildProcess> _children = [];
    private readonly string _ip;
    private bool _disposed;

    private NetLab(string id)
    {
        Id = id;
        ServerNs = $"p0fs-{id}s";
        ClientNs = $"p0fs-{id}c";
        ServerIf = $"p0fs{id}a";
        ClientIf = $"p0fs{id}b";
        _ip = Require.Ip();
    }

    public string Id { get; }

    public string ServerNs { get; }

    public string ClientNs { get; }

    public string ServerIf { get; }

    public string ClientIf { get; }

    public static string ClientV4(int i) => $"198.51.100.{10 + i}";

    public static string ClientV6(int i) => $"2001:db8::{0x10 + i:x}";

    /// <summary>
    /// Creates the namespaces and the veth pair. With <paramref name="addresses"/> false the
    /// interfaces are up but have no addresses, so neither stack answers anything (replays).
    /// </summary>
    public static NetLab Create(bool addresses = true, int clientAddresses = 4, int mtu = 1500)
    {
        Require.NetworkLab();
        var lab = new NetLab(Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant());
        try
        {
            lab.Setup(addresses, clientAddresses, mtu);
        }
        catch
        {
            lab.Dispose();
            throw;
        }

        return lab;
    }

    /// <summary>Runs a short command inside a namespace.</summary>
    public CmdResult Exec(string ns, params string[] argv) => Cmd.Run(_ip, ["netns", "exec", ns, .. argv]);

    /// <summary>
    /// Starts a long-running child inside a namespace; it is killed on Dispose. With
    /// <paramref name="stdoutFile"/> / <paramref name="stderrFile"/> that stream goes straight
    /// to a file instead of the test's pipe (a chatty daemon must never wait for the test to
    /// read its terminal output).
    /// </summary>
    public ChildProcess Start(string ns, string program, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, string? stdoutFile = null, string? stderrFile = null)
    {
        // `ip netns exec` switches namespace and execs the program in place, and so does the
        // shell below: the PID is the program's.
        Dictionary<string, string> env = environment is null ? [] : new(environment);
        List<string> argv = ["netns", "exec", ns];
        if (stdoutFile is null && stderrFile is null)
        {
            argv.Add(program);
        }
        else
        {
            string script = "exec \"$0\" \"$@\"";
            if (stdoutFile is not null)
            {
                script += " >> \"$P0FS_STDOUT_FILE\"";
                env["P0FS_STDOUT_FILE"] = stdoutFile;
            }

            if (stderrFile is not null)
            {
                script += " 2>> \"$P0FS_STDERR_FILE\"";
                env["P0FS_STDERR_FILE"] = stderrFile;
            }

            argv.AddRange(["sh", "-c", script, program]);
        }

        argv.AddRange(arguments);
        ChildProcess child = ChildProcess.Start(_ip, argv, env);
        lock (_children)
        {
            _children.Add(child);
        }

        return child;
    }

    /// <summary>A TCP listener on <paramref name="ports"/> (IPv4 and IPv6) in the server namespace that accepts and closes.</summary>
    public ChildProcess StartListener(params int[] ports)
    {
        ChildProcess listener = Start(ServerNs, Require.Python(), ["-c", ListenerScript, .. ports.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        listener.WaitForStdout(l => l == "ready", TimeSpan.FromSeconds(60), "the port listener to start");
        return listener;
    }

    /// <summary>Opens and closes <paramref name="count"/> real TCP connections from the client namespace; returns how many succeeded.</summary>
    public int Connect(string source, string destination, int port, int count)
    {
        CmdResult r = Exec(ClientNs, Require.Python(), "-c", ConnectScript, source, destination,
            port.ToString(System.Globalization.CultureInfo.InvariantCulture), count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (r.ExitCode != 0 || !int.TryParse(r.Stdout.Trim(), out int ok))
        {
            throw new InvalidOperationException("The connecting client failed: " + r);
        }

        return ok;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_children)
        {
            foreach (ChildProcess c in _children)
            {
                c.Dispose();
            }
        }

        foreach (string ns in new[] { ServerNs, ClientNs })
        {
            try
            {
                Cmd.Run(_ip, "netns", "del", ns);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                // best effort; nothing else to do from a Dispose
            }
        }
    }

    private void Setup(bool addresses, int clientAddresses, int mtu)
    {
        string m = mtu.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Ip("netns", "add", ServerNs);
        Ip("netns", "add", ClientNs);
        foreach (string ns in new[] { ServerNs, ClientNs })
        {
            // No duplicate address detection: addresses are usable at once, and no DAD probes.
            Exec(ns, "sh", "-c",
                "for f in /proc/sys/net/ipv6/conf/default/accept_dad /proc/sys/net/ipv6/conf/all/accept_dad; do [ -w $f ] && echo 0 > $f; done; true");
        }

        Ip("link", "add", ServerIf, "netns", ServerNs, "type", "veth", "peer", "name", ClientIf, "netns", ClientNs);
        Ip("-n", ServerNs, "link", "set", "lo", "up");
        Ip("-n", ClientNs, "link", "set", "lo", "up");
        Ip("-n", ServerNs, "link", "set", ServerIf, "mtu", m, "up");
        Ip("-n", ClientNs, "link", "set", ClientIf, "mtu", m, "up");
        if (!addresses)
        {
            return;
        }

        Ip("-n", ServerNs, "addr", "add", ServerV4 + "/24", "dev", ServerIf);
        Ip("-n", ServerNs, "addr", "add", ServerV6 + "/64", "dev", ServerIf, "nodad");
        Ip("-n", ServerNs, "route", "add", "198.51.100.0/24", "dev", ServerIf);
        for (int i = 0; i < clientAddresses; i++)
        {
            Ip("-n", ClientNs, "addr", "add", ClientV4(i) + "/24", "dev", ClientIf);
            Ip("-n", ClientNs, "addr", "add", ClientV6(i) + "/64", "dev", ClientIf, "nodad");
        }

        Ip("-n", ClientNs, "route", "add", "192.0.2.0/24", "dev", ClientIf);
    }

    private void Ip(params string[] args)
    {
        CmdResult r = Cmd.Run(_ip, args);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException("Network lab set-up failed: " + r);
        }
    }
}
