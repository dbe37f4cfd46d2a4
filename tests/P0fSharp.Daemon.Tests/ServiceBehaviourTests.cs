using System.Globalization;
using System.Net.Sockets;
using System.Text;
using P0fSharp.Daemon.Tests.Support;
using Xunit;

namespace P0fSharp.Daemon.Tests;

/// <summary>
/// Issue 4, the daemon as a service: stop signals, SIGHUP reload, the socket file's life
/// cycle and permissions, privilege drop, start-up failures, readiness notification,
/// journald output, daemon mode and a vanishing interface — each with the real program.
/// </summary>
public sealed class ServiceBehaviourTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(Native.SIGTERM)]
    [InlineData(Native.SIGINT)]
    public void StopSignalsExitZeroRemoveTheSocketFlushTheLogAndPrintFinalStatistics(int signal)
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        lab.StartListener(25);
        string socket = dir.File("api.sock");
        string log = dir.File("p0f.log");
        using ChildProcess daemon = Daemons.StartOursServing(lab, dir, socket, ["-o", log], "tcp port 25");
        Assert.Equal(2, lab.Connect(NetLab.ClientV4(0), NetLab.ServerV4, 25, 2));
        P0fApi.AskUntil(socket, NetLab.ClientV4(0), a => a.TotalConn >= 2, Settle);

        Assert.Equal(0, daemon.Stop(signal, Daemons.StopTimeout));
        Assert.False(File.Exists(socket), "the socket file was left behind");
        string stats = Assert.Single(daemon.StderrLines, l => l.StartsWith("[+] Capture statistics (final): ", StringComparison.Ordinal));
        Assert.Matches(@"received (\d+), dropped by kernel 0, dropped by interface 0; processed \1; engine: ", stats);
        Assert.True(Counter(stats, "received") >= 6, stats); // 2 × SYN, SYN+ACK, ACK at least
        Assert.Contains("[!] WARNING: User-initiated shutdown.", daemon.StderrLines);
        Assert.Matches(@"^All done\. Processed \d+ packets\.$", daemon.StdoutLines[^1]);
        string[] logLines = File.ReadAllLines(log);
        Assert.Equal(2, logLines.Count(l => l.Contains("] mod=syn|cli=" + NetLab.ClientV4(0) + "/", StringComparison.Ordinal)));
    }

    [Fact]
    public void ASigtermDuringStartUpStillEndsInACleanShutdown()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        string socket = dir.File("api.sock");
        using ChildProcess daemon = Daemons.StartOurs(lab, lab.ServerNs, dir, ["-i", lab.ServerIf, "-s", socket]);

        // As soon as the socket file exists: the capture is open, the main loop not yet entered.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(socket) && !daemon.HasExited && clock.Elapsed < Daemons.StartTimeout)
        {
            Thread.Sleep(1);
        }

        Assert.True(File.Exists(socket), daemon.Transcript());
        Assert.Equal(0, daemon.Stop(Native.SIGTERM, Daemons.StopTimeout));
        Assert.False(File.Exists(socket), "the socket file was left behind");
        Assert.Contains(daemon.StderrLines, l => l.StartsWith("[+] Capture statistics (final): ", StringComparison.Ordinal));
    }

    [Fact]
    public void SighupWithABrokenDatabaseKeepsTheLoadedOneAndTheHostState()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        string db = dir.File("p0f.fp");
        string socket = dir.File("api.sock");
        using ChildProcess daemon = StartOnDatabaseCopy(lab, dir, db, socket, 3, out P0fAnswer before);

        File.AppendAllText(db, "this is not a p0f.fp statement\n");
        daemon.Signal(Native.SIGHUP);
        string warning = daemon.WaitForStderr(l => l.Contains("Reload of", StringComparison.Ordinal), Settle, "the reload warning");
        Assert.Matches(@"^\[!\] WARNING: Reload of '.*p0f\.fp' failed, keeping the loaded database: .*p0f\.fp:\d+: ", warning);

        // An emptied file (a copy in progress) is refused as well.
        File.WriteAllText(db, string.Empty);
        daemon.Signal(Native.SIGHUP);
        daemon.WaitForStderr(l => l.Contains("refused, keeping the loaded database: no signatures found.", StringComparison.Ordinal), Settle, "the empty-file refusal");

        // The host record is intact, and new traffic is still fingerprinted with the old database.
        Assert.Equal(before.WithoutTimes(), P0fApi.Ask(socket, NetLab.ClientV4(0)).WithoutTimes());
        Assert.Equal(2, lab.Connect(NetLab.ClientV4(1), NetLab.ServerV4, 25, 2));
        P0fAnswer fresh = P0fApi.AskUntil(socket, NetLab.ClientV4(1), a => a.TotalConn >= 2, Settle);
        Assert.Equal("Linux", fresh.OsName);
        Assert.False(daemon.HasExited, daemon.Transcript());
    }

    [Fact]
    public void SighupWithAChangedDatabaseReloadsItAndKeepsTheHostState()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        string db = dir.File("p0f.fp");
        string socket = dir.File("api.sock");
        using ChildProcess daemon = StartOnDatabaseCopy(lab, dir, db, socket, 2, out P0fAnswer before);

        // Same signatures, Linux labels renamed: only a reload can produce the new name.
        string[] lines = File.ReadAllLines(db);
        int renamed = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("label = ", StringComparison.Ordinal) && lines[i].Contains(":Linux:", StringComparison.Ordinal))
            {
                lines[i] = lines[i].Replace(":Linux:", ":Relinux:", StringComparison.Ordinal);
                renamed++;
            }
        }

        Assert.True(renamed > 5);
        File.WriteAllLines(db, lines);
        daemon.Signal(Native.SIGHUP);
        daemon.WaitForStderr(l => l.StartsWith("[+] Reloaded ", StringComparison.Ordinal), Settle, "the reload confirmation");

        // State kept: the old record is unchanged until its host shows up again.
        Assert.Equal(before.WithoutTimes(), P0fApi.Ask(socket, NetLab.ClientV4(0)).WithoutTimes());
        Assert.Equal(1, lab.Connect(NetLab.ClientV4(1), NetLab.ServerV4, 25, 1));
        Assert.Equal("Relinux", P0fApi.AskUntil(socket, NetLab.ClientV4(1), a => a.TotalConn >= 1, Settle).OsName);
        Assert.Equal(1, lab.Connect(NetLab.ClientV4(0), NetLab.ServerV4, 25, 1));
        P0fAnswer after = P0fApi.AskUntil(socket, NetLab.ClientV4(0), a => a.TotalConn >= 3, Settle);
        Assert.Equal("Relinux", after.OsName);
        Assert.Equal(3u, after.TotalConn);
        Assert.Equal(before.FirstSeen, after.FirstSeen);
    }

    [Fact]
    public void AStaleSocketFileIsReplacedButALiveOneIsRefused()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        string socket = dir.File("api.sock");

        // A socket file nobody listens on any more (a crashed daemon's).
        CmdResult stale = Cmd.Run(Require.Python(), "-c", "import os, socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os._exit(0)", socket);
        Assert.True(stale.ExitCode == 0 && File.Exists(socket), stale.ToString());
        using ChildProcess first = Daemons.StartOursServing(lab, dir, socket, []);
        Assert.Equal(P0fAnswer.NoMatch, P0fApi.Ask(socket, "203.0.113.5").Status);

        // A second instance must not steal the live socket: one clear message, exit 1.
        using ChildProcess second = Daemons.StartOurs(lab, lab.ServerNs, dir, ["-i", lab.ServerIf, "-s", socket]);
        Assert.True(second.WaitForExit(Daemons.StartTimeout), second.Transcript());
        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"[-] PROGRAM ABORT : '{socket}' is in use by a running server (another p0f?); not taking it over.", second.StderrLines);
        Assert.Single(second.StderrLines, l => l.StartsWith("[-]", StringComparison.Ordinal));
        Assert.Equal(P0fAnswer.NoMatch, P0fApi.Ask(socket, "203.0.113.5").Status);

        // The same for a socket held by the real p0f.
        Assert.Equal(0, first.Stop(Native.SIGTERM, Daemons.StopTimeout));
        using ChildProcess p0f = Daemons.StartServing("p0f", lab, dir, socket, []);
        using ChildProcess third = Daemons.StartOurs(lab, lab.ServerNs, dir, ["-i", lab.ServerIf, "-s", socket]);
        Assert.True(third.WaitForExit(Daemons.StartTimeout), third.Transcript());
        Assert.Equal(1, third.ExitCode);
        Assert.Contains(third.StderrLines, l => l.Contains("is in use by a running server", StringComparison.Ordinal));
        Assert.Equal(P0fAnswer.NoMatch, P0fApi.Ask(socket, "203.0.113.5").Status);
        Assert.False(p0f.HasExited);
    }

    [Fact]
    public void SocketModeAndGroupAreApplied()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        string socket = dir.File("api.sock");
        using (ChildProcess plain = Daemons.StartOursServing(lab, dir, socket, []))
        {
            Assert.Equal("666 0", Stat(socket)); // p0f's API_MODE, the creator's group
            Assert.Equal(0, plain.Stop(Native.SIGTERM, Daemons.StopTimeout));
        }

        using ChildProcess daemon = Daemons.StartOursServing(lab, dir, socket, ["--socket-mode", "0640", "--socket-group", "4242"]);
        Assert.Equal("640 4242", Stat(socket));
        Assert.Equal(P0fAnswer.NoMatch, P0fApi.Ask(socket, "203.0.113.6").Status);
    }

    [Fact]
    public void UserSwitchHappensAfterCaptureAndSocketAreOpen()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("777", 8)); // so the unprivileged daemon can remove its socket
        lab.StartListener(25);
        string socket = dir.File("api.sock");
        string log = dir.File("p0f.log");
        using ChildProcess daemon = Daemons.StartOursServing(lab, dir, socket, ["-o", log, "-u", "nobody"]);
        string dropped = daemon.WaitForStdout(l => l.StartsWith("[+] Privileges dropped: ", StringComparison.Ordinal), Settle, "the privilege drop");
        uint uid = uint.Parse(Cmd.Check("id", "-u", "nobody").Stdout.Trim(), CultureInfo.InvariantCulture);
        Assert.StartsWith($"[+] Privileges dropped: uid {uid}, gid ", dropped);

        // Every thread of the process runs as nobody now (glibc applies set*id to all threads).
        string status = File.ReadAllText($"/proc/{daemon.Pid}/status");
        Assert.Matches($@"(?m)^Uid:\s+{uid}\s+{uid}\s+{uid}\s+{uid}$", status);
        foreach (string task in Directory.GetDirectories($"/proc/{daemon.Pid}/task"))
        {
            Assert.Matches($@"(?m)^Uid:\s+{uid}\s+{uid}\s+{uid}\s+{uid}$", File.ReadAllText(Path.Combine(task, "status")));
        }

        // The capture and the socket opened as root keep working.
        Assert.Equal(2, lab.Connect(NetLab.ClientV4(0), NetLab.ServerV4, 25, 2));
        P0fAnswer a = P0fApi.AskUntil(socket, NetLab.ClientV4(0), x => x.TotalConn >= 2, Settle);
        Assert.Equal(P0fAnswer.Ok, a.Status);
        Assert.Equal(2u, a.TotalConn);
        Assert.Equal(0, daemon.Stop(Native.SIGTERM, Daemons.StopTimeout));
        Assert.False(File.Exists(socket));
        Assert.Contains(File.ReadAllLines(log), l => l.Contains("] mod=syn|cli=" + NetLab.ClientV4(0) + "/", StringComparison.Ordinal));
    }

    public static TheoryData<string, string[]> StartupFailures => new()
    {
        { "missing interface", ["-i", "p0fsnosuchif0"] },
        { "bad filter", ["-i", "{if}", "tcp port"] },
        { "socket in a missing directory", ["-i", "{if}", "-s", "/nonexistent-p0fs/api.sock"] },
        { "socket path is a regular file", ["-i", "{if}", "-s", "{dir}/plain-file"] },
        { "socket path too long", ["-i", "{if}", "-s", "/tmp/" + new string('x', 120)] },
        { "log in a missing directory", ["-i", "{if}", "-o", "/nonexistent-p0fs/p0f.log"] },
        { "log is a directory", ["-i", "{if}", "-o", "{dir}"] },
    };

    /// <summary>
    /// Each start-up error ends the program at once with status 1 and one error message whose
    /// headline is p0f's own for the same mistake (p0f is run with the same arguments).
    /// </summary>
    [Theory]
    [MemberData(nameof(StartupFailures))]
    public void StartupFailuresExitAtOnceWithOneClearMessage(string what, string[] template)
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        File.WriteAllText(dir.File("plain-file"), "not a socket\n");
        string[] args = template.Select(a => a.Replace("{if}", lab.ServerIf, StringComparison.Ordinal).Replace("{dir}", dir.Path, StringComparison.Ordinal)).ToArray();

        using ChildProcess ours = Daemons.StartOurs(lab, lab.ServerNs, dir, args);
        using ChildProcess p0f = Daemons.StartP0f(lab, lab.ServerNs, args);
        Assert.True(ours.WaitForExit(Daemons.StartTimeout), what + ": p0fsharp did not exit\n" + ours.Transcript());
        Assert.True(p0f.WaitForExit(Daemons.StartTimeout), what + ": p0f did not exit\n" + p0f.Transcript());
        Assert.Equal(1, p0f.ExitCode);
        Assert.True(ours.ExitCode == 1, $"{what}: exit {ours.ExitCode}\n{ours.Transcript()}");

        string[] errors = ours.StderrLines.Where(l => l.Contains("PROGRAM ABORT", StringComparison.Ordinal) || l.Contains("SYSTEM ERROR", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 1, $"{what}: expected one error message\n{ours.Transcript()}");
        Assert.DoesNotContain(ours.StderrLines, l => l.Contains("Exception", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        string reference = p0f.StderrLines.Single(l => l.Contains("PROGRAM ABORT", StringComparison.Ordinal) || l.Contains("SYSTEM ERROR", StringComparison.Ordinal));
        Assert.Equal(reference, errors[0]);
        Assert.False(File.Exists("/nonexistent-p0fs"));
    }

    [Fact]
    public void ReadinessIsNotifiedOnceTheSocketServesAndStoppingOnShutdown()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        string notify = dir.File("notify.sock");
        using var manager = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 60_000 };
        manager.Bind(new UnixDomainSocketEndPoint(notify));
        string socket = dir.File("api.sock");
        using ChildProcess daemon = Daemons.StartOurs(lab, lab.ServerNs, dir, ["-i", lab.ServerIf, "-s", socket],
            environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify });

        byte[] buffer = new byte[4096];
        string ready = Encoding.UTF8.GetString(buffer, 0, manager.Receive(buffer));
        Assert.Contains("READY=1\n", ready);
        Assert.Contains($"MAINPID={daemon.Pid}\n", ready);
        Assert.Contains($"STATUS=Capturing on '{lab.ServerIf}', answering API queries on '{socket}'.", ready);

        // Ready means ready: the socket answers without any waiting.
        Assert.Equal(P0fAnswer.NoMatch, P0fApi.Ask(socket, "203.0.113.7").Status);
        daemon.Signal(Native.SIGTERM);
        string stopping = Encoding.UTF8.GetString(buffer, 0, manager.Receive(buffer));
        Assert.Contains("STOPPING=1\n", stopping);
        Assert.True(daemon.WaitForExit(Daemons.StopTimeout));
        Assert.Equal(0, daemon.ExitCode);
    }

    [Fact]
    public void UnderJournaldLinesCarryPrioritiesAndObservationBlocksAreLeftToTheLog()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        lab.StartListener(25);
        string journal = dir.File("journal");
        File.WriteAllText(journal, string.Empty);
        string stream = Cmd.Check("stat", "-c", "%d:%i", journal).Stdout.Trim();
        string socket = dir.File("api.sock");
        using ChildProcess daemon = Daemons.StartOurs(lab, lab.ServerNs, dir, ["-i", lab.ServerIf, "-s", socket, "-o", dir.File("p0f.log")],
            environment: new Dictionary<string, string> { ["JOURNAL_STREAM"] = stream }, stdoutFile: journal, stderrFile: journal);
        P0fApi.WaitUntilListening(socket, daemon, Daemons.StartTimeout);
        Assert.Equal(1, lab.Connect(NetLab.ClientV4(0), NetLab.ServerV4, 25, 1));
        P0fApi.AskUntil(socket, NetLab.ClientV4(0), a => a.TotalConn >= 1, Settle);
        P0fApi.Ask(socket, "203.0.113.8");
        using (var c = ApiConnection.Open(socket))
        {
            c.Ask(P0fApi.Query(0x01020304, 4, new byte[16]));
        }

        Assert.Equal(0, daemon.Stop(Native.SIGTERM, Daemons.StopTimeout));
        string[] lines = File.ReadAllLines(journal);
        Assert.Contains($"<6>[+] Listening on API socket '{socket}' (max 20 clients).", lines);
        Assert.Contains("<4>[!] WARNING: Query with bad magic (0x1020304).", lines);
        Assert.Contains("<4>[!] WARNING: User-initiated shutdown.", lines);
        Assert.All(lines, l => Assert.Matches("^<[3-6]>", l)); // every entry has a priority, no empty entries
        Assert.DoesNotContain(lines, l => l.Contains(".-[", StringComparison.Ordinal)); // blocks went to the -o log only
        Assert.Contains(File.ReadAllLines(dir.File("p0f.log")), l => l.Contains("] mod=syn|", StringComparison.Ordinal));
    }

    [Fact]
    public void DaemonModeDetachesReportsItsPidAndKeepsServing()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        string socket = dir.File("api.sock");
        using ChildProcess launcher = Daemons.StartOurs(lab, lab.ServerNs, dir, ["-d", "-i", lab.ServerIf, "-s", socket, "-o", dir.File("p0f.log")]);
        int pid = 0;
        try
        {
            Assert.True(launcher.WaitForExit(Daemons.StartTimeout), launcher.Transcript());
            Assert.Equal(0, launcher.ExitCode);
            string created = Assert.Single(launcher.StdoutLines, l => l.StartsWith("[+] Daemon process created, PID ", StringComparison.Ordinal));
            pid = int.Parse(created.Split(' ')[5].TrimEnd(','), CultureInfo.InvariantCulture);
            Assert.Equal("Good luck, you're on your own now!", launcher.StdoutLines[^1]);
            Assert.Contains("[!] Consider specifying -u in daemon mode (see README).", launcher.StdoutLines);

            // The daemon outlives its launcher, in its own session, and answers.
            Assert.True(Directory.Exists($"/proc/{pid}"));
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            Assert.Equal(pid.ToString(CultureInfo.InvariantCulture), fields[3]); // session id = its own pid (setsid)
            Assert.Equal(P0fAnswer.NoMatch, P0fApi.Ask(socket, "203.0.113.9").Status);

            Assert.Equal(0, Native.kill(pid, Native.SIGTERM));
            Assert.True(WaitGone(pid, Daemons.StopTimeout), "the daemon did not stop on SIGTERM");
            Assert.False(File.Exists(socket));
        }
        finally
        {
            if (pid > 0 && Directory.Exists($"/proc/{pid}"))
            {
                Native.kill(pid, Native.SIGKILL);
                WaitGone(pid, TimeSpan.FromSeconds(10));
            }
        }
    }

    [Fact]
    public void AVanishingInterfaceEndsTheDaemonWithP0fsMessage()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        string ours = dir.File("ours.sock");
        string theirs = dir.File("p0f.sock");
        using ChildProcess daemon = Daemons.StartOursServing(lab, dir, ours, []);
        using ChildProcess p0f = Daemons.StartServing("p0f", lab, dir, theirs, []);
        Cmd.Check("ip", "-n", lab.ServerNs, "link", "del", lab.ServerIf);

        Assert.True(daemon.WaitForExit(Daemons.StopTimeout), daemon.Transcript());
        Assert.True(p0f.WaitForExit(Daemons.StopTimeout), p0f.Transcript());
        Assert.Equal(1, p0f.ExitCode);
        Assert.Equal(1, daemon.ExitCode);
        Assert.Contains(p0f.StderrLines, l => l == "[-] PROGRAM ABORT : Packet capture interface is down.");
        Assert.Contains(daemon.StderrLines, l => l.StartsWith("[-] PROGRAM ABORT : Packet capture interface is down.", StringComparison.Ordinal));
        Assert.DoesNotContain(daemon.StderrLines, l => l.Contains("User-initiated", StringComparison.Ordinal));
        Assert.False(File.Exists(ours));
    }

    /// <summary>
    /// p0fsharp on its own copy of data/p0f.fp (<paramref name="db"/>), with a port-25 listener,
    /// after <paramref name="connections"/> connections from client 0 (a Linux host).
    /// </summary>
    private static ChildProcess StartOnDatabaseCopy(NetLab lab, TempDir dir, string db, string socket, int connections, out P0fAnswer client)
    {
        lab.StartListener(25);
        File.Copy(Paths.Database, db);
        ChildProcess daemon = Daemons.StartOurs(lab, lab.ServerNs, dir, ["-i", lab.ServerIf, "-s", socket], database: db);
        P0fApi.WaitUntilListening(socket, daemon, Daemons.StartTimeout);
        Assert.Equal(connections, lab.Connect(NetLab.ClientV4(0), NetLab.ServerV4, 25, connections));
        client = P0fApi.AskUntil(socket, NetLab.ClientV4(0), a => a.TotalConn >= connections, Settle);
        Assert.Equal("Linux", client.OsName);
        return daemon;
    }

    private static long Counter(string stats, string name)
    {
        var m = System.Text.RegularExpressions.Regex.Match(stats, name + @" (\d+)");
        return long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static string Stat(string path) => Cmd.Check("stat", "-c", "%a %g", path).Stdout.Trim();

    private static bool WaitGone(int pid, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Directory.Exists($"/proc/{pid}"))
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(50);
        }

        return true;
    }
}
