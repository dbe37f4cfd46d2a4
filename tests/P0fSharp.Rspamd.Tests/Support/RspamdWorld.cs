using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace P0fSharp.Rspamd.Tests.Support;

/// <summary>
/// What every scenario shares, built once: the namespaces, the daemon under test capturing on
/// the server end of the veth, an SMTP session over IPv4 and one over IPv6 from the client
/// namespace (so the daemon knows both addresses), the messages the sink received, a fake
/// daemon, a stale socket, redis, and one rspamd per <see cref="RspamdProfile"/>, started on
/// first use. Everything is stopped by PID and removed in <see cref="Dispose"/>.
/// </summary>
public sealed class RspamdWorld : IDisposable
{
    /// <summary>The real p0f instead of P0fSharp (<c>P0FSHARP_RSPAMD_DAEMON=p0f</c>): checks the tests themselves.</summary>
    public static readonly bool DaemonIsRealP0f = Environment.GetEnvironmentVariable("P0FSHARP_RSPAMD_DAEMON") == "p0f";

    private static readonly TimeSpan DaemonStart = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CaptureLag = TimeSpan.FromSeconds(15);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, RspamdInstance> _instances = [];
    private readonly List<IDisposable> _cleanup = [];
    private readonly string _hyperscanCache = "/var/tmp/p0fsharp-rspamd-tests-hs";
    private readonly Socket? _stale;
    private Redis? _redis;

    public RspamdWorld()
    {
        if (!Native.IsRoot)
        {
            return;
        }

        try
        {
            RequireTools();
            RepoRoot = FindRepoRoot();
            WorkDir = Directory.CreateTempSubdirectory("p0fr-").FullName;
            // rspamd's workers run as _rspamd and must reach the sockets in here
            File.SetUnixFileMode(WorkDir, (UnixFileMode)Convert.ToInt32("755", 8));
            Directory.CreateDirectory(_hyperscanCache);
            Command.Check("chown", "_rspamd:", _hyperscanCache);

            Lab = new NetworkLab();
            _cleanup.Add(Lab);
            Timings.Add(("namespaces", _clock.Elapsed));

            DaemonSocket = Path.Combine(WorkDir, "daemon.sock");
            Daemon = StartDaemon("daemon", DaemonSocket);
            Timings.Add(("daemon answers", _clock.Elapsed));

            string mail = Path.Combine(WorkDir, "mail");
            Directory.CreateDirectory(mail);
            var sink = new SmtpSink(Lab.ServerNs, mail, NetworkLab.ServerV4, NetworkLab.ServerV6);
            _cleanup.Add(sink);
            SmtpClient.Send(Lab.ClientNs, NetworkLab.ServerV4, "over IPv4");
            MessageV4 = sink.NextMessage(TimeSpan.FromSeconds(10));
            SmtpClient.Send(Lab.ClientNs, NetworkLab.ServerV6, "over IPv6");
            MessageV6 = sink.NextMessage(TimeSpan.FromSeconds(10));
            AnswerV4 = P0fApi.AskUntilKnown(DaemonSocket, NetworkLab.ClientV4, CaptureLag);
            AnswerV6 = P0fApi.AskUntilKnown(DaemonSocket, NetworkLab.ClientV6, CaptureLag);
            Timings.Add(("SMTP v4+v6, daemon knows both", _clock.Elapsed));

            MessageNoAddress = Path.Combine(mail, "no-address.eml");
            File.WriteAllText(MessageNoAddress,
                "From: a@example.net\r\nTo: b@example.org\r\nSubject: no client address\r\n" +
                "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\nMessage-ID: <noaddr@example.net>\r\n\r\nbody\r\n");
            MessageForged = Path.Combine(mail, "forged.eml");
            File.WriteAllText(MessageForged, "X-OS-Fingerprint: Windows 95 (forged by the sender)\r\n" + File.ReadAllText(MessageV4));

            Fake = new FakeDaemon(Path.Combine(WorkDir, "fake.sock"));
            _cleanup.Add(Fake);

            // bound but not listening: what a daemon killed with SIGKILL leaves behind
            StaleSocket = Path.Combine(WorkDir, "stale.sock");
            _stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _stale.Bind(new UnixDomainSocketEndPoint(StaleSocket));
            File.SetUnixFileMode(StaleSocket, (UnixFileMode)Convert.ToInt32("666", 8));
            Ready = true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public bool Ready { get; }

    public string RepoRoot { get; } = string.Empty;

    public string WorkDir { get; } = string.Empty;

    internal NetworkLab? Lab { get; }

    internal ChildProcess? Daemon { get; }

    public string DaemonSocket { get; } = string.Empty;

    internal P0fAnswer? AnswerV4 { get; }

    internal P0fAnswer? AnswerV6 { get; }

    public string MessageV4 { get; } = string.Empty;

    public string MessageV6 { get; } = string.Empty;

    public string MessageNoAddress { get; } = string.Empty;

    public string MessageForged { get; } = string.Empty;

    internal FakeDaemon? Fake { get; }

    public string StaleSocket { get; } = string.Empty;

    public string MissingSocket => Path.Combine(WorkDir, "nothing-here.sock");

    public List<(string What, TimeSpan At)> Timings { get; } = [];

    internal Redis Redis
    {
        get
        {
            if (_redis == null)
            {
                _redis = new Redis(Lab!.ServerNs, Path.Combine(WorkDir, "redis"));
                _cleanup.Add(_redis);
            }

            return _redis;
        }
    }

    /// <summary>The rspamd of <paramref name="profile"/>, started on first use.</summary>
    internal RspamdInstance Rspamd(RspamdProfile profile)
    {
        if (!_instances.TryGetValue(profile.Name, out RspamdInstance? instance))
        {
            if (profile.Redis)
            {
                _ = Redis;
            }

            instance = new RspamdInstance(profile, _instances.Count, WorkDir, Lab!.ServerNs, RepoRoot, _hyperscanCache);
            _instances.Add(profile.Name, instance);
            _cleanup.Add(instance);
            Timings.Add(($"rspamd '{profile.Name}' ready ({instance.StartTime.TotalSeconds:0.0}s)", _clock.Elapsed));
        }

        return instance;
    }

    /// <summary>Starts a daemon under test (P0fSharp, or p0f) capturing on the server veth; returns once its API answers.</summary>
    internal ChildProcess StartDaemon(string name, string socketPath)
    {
        const string filter = "tcp port 25";
        IReadOnlyList<string> command = DaemonIsRealP0f
            ? NetworkLab.In(Lab!.ServerNs, "p0f", "-i", Lab.ServerInterface, "-s", socketPath, filter)
            : NetworkLab.In(Lab!.ServerNs, Command.Find("dotnet") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "p0fsharp.dll"),
                "-i", Lab.ServerInterface, "-s", socketPath, filter);
        var daemon = ChildProcess.Start(name, Path.Combine(WorkDir, name + ".out"), command);
        _cleanup.Add(daemon);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (!daemon.IsRunning)
            {
                throw new InvalidOperationException($"{name} exited:\n{daemon.LogTail()}");
            }

            if (File.Exists(socketPath))
            {
                try
                {
                    P0fApi.Ask(socketPath, IPAddress.Parse("198.51.100.1"));
                    return daemon;
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                    // not listening yet
                }
            }

            if (deadline.Elapsed > DaemonStart)
            {
                throw new TimeoutException($"{name}: no API answer on {socketPath} within {DaemonStart.TotalSeconds} s:\n{daemon.LogTail()}");
            }

            Thread.Sleep(100);
        }
    }

    private static void RequireTools()
    {
        string[] missing = new[] { "rspamd", "rspamc", "rspamadm", "redis-server", "ip" }.Where(t => Command.Find(t) == null).ToArray();
        if (DaemonIsRealP0f && Command.Find("p0f") == null)
        {
            missing = [.. missing, "p0f"];
        }

        Assert.True(missing.Length == 0,
            $"missing {string.Join(", ", missing)}: run ./test.sh from the repository root, which installs the test "
            + "dependencies (Debian packages rspamd, redis-server, iproute2) before running the tests");
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "P0fSharp.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("P0fSharp.sln not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        // newest first: rspamd before redis and the daemons, the namespaces last
        for (int i = _cleanup.Count - 1; i >= 0; i--)
        {
            try
            {
                _cleanup[i].Dispose();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or SocketException)
            {
                Console.Error.WriteLine($"rspamd tests: cleanup: {e.Message}");
            }
        }

        _cleanup.Clear();
        _stale?.Dispose();
        if (WorkDir.Length > 0 && Directory.Exists(WorkDir) && Environment.GetEnvironmentVariable("P0FSHARP_RSPAMD_KEEP") != "1")
        {
            Directory.Delete(WorkDir, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RspamdCollection : ICollectionFixture<RspamdWorld>
{
    public const string Name = "rspamd";
}

/// <summary>A scenario with rspamd, as root (namespaces, capture); skipped for other users.</summary>
internal sealed class E2eFactAttribute : FactAttribute
{
    public E2eFactAttribute()
    {
        if (!Native.IsRoot)
        {
            Skip = "needs root (network namespaces, live capture, rspamd under its own user)";
        }
    }
}

/// <inheritdoc cref="E2eFactAttribute"/>
internal sealed class E2eTheoryAttribute : TheoryAttribute
{
    public E2eTheoryAttribute()
    {
        if (!Native.IsRoot)
        {
            Skip = "needs root (network namespaces, live capture, rspamd under its own user)";
        }
    }
}
