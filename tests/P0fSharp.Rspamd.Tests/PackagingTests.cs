using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using P0fSharp.Rspamd.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Rspamd.Tests;

/// <summary>
/// packaging/: install.sh into a staging root, the systemd unit through systemd-analyze, and the
/// installed program run the way the unit runs it (its own unprivileged user with only
/// CAP_NET_RAW and CAP_NET_ADMIN, Type=notify, the installed JSON settings) while a client
/// sends mail: it must capture, answer on its socket and report READY=1. systemd itself does not
/// run here (no PID 1 systemd in CI containers), so this is as close as a test gets.
/// </summary>
public sealed class PackagingTests(RspamdWorld world, ITestOutputHelper output) : Scenario(world, output)
{
    private const string Prefix = "/opt/p0fsharp";

    [E2eFact]
    public void Install_script_stages_program_settings_and_a_unit_systemd_accepts()
    {
        string root = Install("verify");

        foreach (string file in new[] { Prefix + "/p0fsharp", Prefix + "/p0fsharp.dll", Prefix + "/p0f.fp", "/etc/p0fsharp/p0fsharp.json", "/etc/systemd/system/p0fsharp.service", "/etc/logrotate.d/p0fsharp" })
        {
            Assert.True(File.Exists(root + file), $"install.sh did not install {file}");
        }

        using var settings = JsonDocument.Parse(File.ReadAllText(root + "/etc/p0fsharp/p0fsharp.json"));
        Assert.Equal(World.Lab!.ServerInterface, settings.RootElement.GetProperty("interface").GetString());
        Assert.Equal("tcp port 25", settings.RootElement.GetProperty("filter").GetString());
        Assert.Equal("/run/p0f/p0f.sock", settings.RootElement.GetProperty("socket").GetString());

        string unit = File.ReadAllText(root + "/etc/systemd/system/p0fsharp.service");
        Assert.Contains("Type=notify", unit, StringComparison.Ordinal);
        Assert.Contains("User=p0fsharp", unit, StringComparison.Ordinal);
        Assert.Contains("RuntimeDirectory=p0f", unit, StringComparison.Ordinal);
        Assert.Contains($"ExecStart={Prefix}/p0fsharp --config /etc/p0fsharp/p0fsharp.json", unit, StringComparison.Ordinal);

        // systemd-analyze wants the programs the unit names to exist: point it at the staged copy
        string staged = Path.Combine(World.WorkDir, "p0fsharp.service");
        File.WriteAllText(staged, unit.Replace(Prefix, root + Prefix, StringComparison.Ordinal));
        string analyze = Command.Find("systemd-analyze") ?? throw new InvalidOperationException("systemd-analyze is missing: ./test.sh installs the package systemd");
        CommandResult verify = Command.Run([analyze, "verify", staged], TimeSpan.FromSeconds(60));
        Output.WriteLine(verify.ToString());
        Assert.True(verify.Ok, verify.ToString());
        Assert.Equal(string.Empty, (verify.Stdout + verify.Stderr).Trim()); // warnings are failures too

        CommandResult security = Command.Run([analyze, "security", "--offline=yes", staged], TimeSpan.FromSeconds(60));
        Output.WriteLine(security.Stdout.Split('\n').LastOrDefault(l => l.Contains("exposure", StringComparison.Ordinal)) ?? security.ToString());

        // the FreeBSD rc script at least parses as a POSIX shell script
        CommandResult rc = Command.Run("sh", "-n", Path.Combine(World.RepoRoot, "packaging", "freebsd", "p0fsharp"));
        Assert.True(rc.Ok, rc.ToString());
    }

    [E2eFact]
    public void Installed_daemon_runs_like_the_unit_unprivileged_notifies_ready_and_answers_rspamd()
    {
        string root = Install("run");
        string run = Path.Combine(World.WorkDir, "svc-run");
        Directory.CreateDirectory(run);
        Command.Check("chown", "nobody:", run); // RuntimeDirectory=: writable by the service user

        // the installed settings, with the socket and log moved from /run/p0f and /var/log
        string config = Path.Combine(run, "p0fsharp.json");
        string socket = Path.Combine(run, "p0f.sock");
        File.WriteAllText(config, File.ReadAllText(root + "/etc/p0fsharp/p0fsharp.json")
            .Replace("/run/p0f/p0f.sock", socket, StringComparison.Ordinal)
            .Replace("/var/log/p0fsharp/p0fsharp.log", Path.Combine(run, "p0fsharp.log"), StringComparison.Ordinal));

        // NOTIFY_SOCKET, as systemd provides it to a Type=notify service
        string notifyPath = Path.Combine(run, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        File.SetUnixFileMode(notifyPath, (UnixFileMode)Convert.ToInt32("666", 8));

        // User=, AmbientCapabilities=, CapabilityBoundingSet=, NoNewPrivileges= of the unit, and
        // a parent called "systemd": .NET 10's systemd support only sends READY=1 when the
        // parent process's comm is "systemd" (or the service is PID 1)
        string dotnetRoot = File.ReadAllLines(root + "/etc/systemd/system/p0fsharp.service.d/dotnet-root.conf")
            .Single(l => l.StartsWith("Environment=DOTNET_ROOT=", StringComparison.Ordinal))["Environment=DOTNET_ROOT=".Length..];
        string manager = Path.Combine(run, "systemd");
        File.CreateSymbolicLink(manager, "/bin/sh");
        string pidFile = Path.Combine(run, "main.pid");
        const string caps = "-all,+net_raw,+net_admin";
        using var supervisor = ChildProcess.Start("service", Path.Combine(run, "service.out"), NetworkLab.In(World.Lab!.ServerNs,
            manager, "-c", "\"$@\" & echo $! >\"$P0FS_PIDFILE\"; wait $!", "systemd",
            "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=" + caps, "--ambient-caps=" + caps,
            "--bounding-set=" + caps, "--no-new-privs", "--", root + Prefix + "/p0fsharp", "--config", config),
            new Dictionary<string, string>
            {
                ["NOTIFY_SOCKET"] = notifyPath,
                ["DOTNET_ROOT"] = dotnetRoot,
                ["DOTNET_EnableDiagnostics"] = "0",
                ["P0FS_PIDFILE"] = pidFile,
            });
        int pid = 0;
        try
        {
            Assert.Equal("READY=1", ReceiveNotification(notify, "READY=1", supervisor));
            pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            string status = File.ReadAllText($"/proc/{pid}/status");
            Output.WriteLine(string.Join('\n', status.Split('\n').Where(l => l.StartsWith("Uid", StringComparison.Ordinal) || l.StartsWith("Cap", StringComparison.Ordinal))));
            Assert.Matches(@"Uid:\s+65534\s", status);
            Assert.Matches(@"CapEff:\s+0000000000003000", status); // net_admin (12) + net_raw (13), nothing else

            // capture works unprivileged: a new SMTP session is fingerprinted and answered on the socket
            SmtpClient.Send(World.Lab.ClientNs, NetworkLab.ServerV4, "to the packaged daemon");
            P0fAnswer answer = P0fApi.AskUntilKnown(socket, NetworkLab.ClientV4, TimeSpan.FromSeconds(15));
            Assert.Equal(AnswerV4.OsString, answer.OsString);
            Assert.Equal(AnswerV4.LinkType, answer.LinkType);

            // and rspamd (as _rspamd) reaches it
            RspamdInstance rspamd = Rspamd(Profiles.Bundled, socket);
            ScanResult result = Scan(rspamd, World.MessageV4, NetworkLab.ClientV4);
            Assert.Equal(AnswerV4.BundledOptions, result.Options(Profiles.Verdict));

            // systemctl stop: SIGTERM, STOPPING=1, a clean exit, the socket removed
            Native.Signal(pid, Native.SIGTERM);
            Assert.Equal("STOPPING=1", ReceiveNotification(notify, "STOPPING=1", daemon: null));
            var deadline = Stopwatch.StartNew();
            while (supervisor.IsRunning && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                Thread.Sleep(50);
            }

            Assert.False(supervisor.IsRunning, "the daemon did not exit after SIGTERM");
            Assert.Equal(0, supervisor.ExitCode); // the daemon's status, passed on by `wait`
            Assert.False(File.Exists(socket), "the socket file was left behind");
        }
        finally
        {
            if (pid > 0 && Native.IsAlive(pid))
            {
                Native.Signal(pid, Native.SIGKILL);
            }
        }
    }

    /// <summary>install.sh --destdir into a fresh staging root, from `dotnet publish` of the built daemon.</summary>
    private string Install(string name)
    {
        string publish = Path.Combine(World.WorkDir, "publish");
        if (!File.Exists(Path.Combine(publish, "p0fsharp.dll")))
        {
            // the configuration the tests were built with (…/bin/<Configuration>/net10.0/)
            string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
            CommandResult published = Command.Run(
                ["dotnet", "publish", Path.Combine(World.RepoRoot, "src", "Host", "P0fSharp.Host.csproj"), "-c", configuration, "--no-build", "-o", publish, "--nologo"],
                TimeSpan.FromMinutes(5));
            Assert.True(published.Ok, published.ToString());
        }

        string root = Path.Combine(World.WorkDir, "root-" + name);
        CommandResult install = Command.Run(
            ["bash", Path.Combine(World.RepoRoot, "packaging", "install.sh"), "--destdir", root, "--from", publish, "--interface", World.Lab!.ServerInterface],
            TimeSpan.FromMinutes(2));
        Output.WriteLine(install.ToString());
        Assert.True(install.Ok, install.ToString());
        return root;
    }

    private static string ReceiveNotification(Socket notify, string wanted, ChildProcess? daemon)
    {
        var buffer = new byte[4096];
        var deadline = Stopwatch.StartNew();
        notify.ReceiveTimeout = 500;
        var seen = new List<string>();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                int n = notify.Receive(buffer);
                string message = Encoding.UTF8.GetString(buffer, 0, n);
                seen.Add(message);
                if (message.Split('\n').Contains(wanted))
                {
                    return wanted;
                }
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                if (daemon is { IsRunning: false })
                {
                    break;
                }
            }
        }

        return $"no {wanted} (got: {string.Join(" | ", seen)}){(daemon != null ? "\n" + daemon.LogTail() : string.Empty)}";
    }
}
