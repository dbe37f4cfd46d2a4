using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace P0fSharp.Rspamd.Tests.Support;

/// <summary>
/// One way of configuring rspamd for a group of scenarios.
/// <para><paramref name="Stock"/>: <c>enabled = true</c> in the p0f section, i.e. rspamd's own module answers.</para>
/// <para><paramref name="Plugin"/>: rspamd/ of this repository installed (plugins.d, modules.d, local.d/p0f.conf).</para>
/// <para><paramref name="P0fOverrides"/>: more lines for override.d/p0f.conf (which also names the socket and timeout).</para>
/// </summary>
internal sealed record RspamdProfile(string Name, bool Stock, bool Plugin, bool Redis, string P0fOverrides = "");

/// <summary>
/// A private rspamd 3.x (Debian's package) in the server namespace: a copy of the packaged
/// /etc/rspamd with local.d and override.d emptied, one normal worker and one controller on
/// loopback ports of its own, no proxy, its socket setting pointing at a symlink the tests aim
/// at the real daemon, the fake one or nothing.
/// </summary>
internal sealed class RspamdInstance : IDisposable
{
    public const double TimeoutSeconds = 1.0;
    private const string User = "_rspamd";

    private readonly ChildProcess _process;
    private readonly string _ns;

    public RspamdInstance(RspamdProfile profile, int slot, string workDir, string ns, string repoRoot, string hyperscanCache)
    {
        Profile = profile;
        _ns = ns;
        NormalPort = 11333 + (slot * 10);
        ControllerPort = NormalPort + 1;
        Dir = Path.Combine(workDir, "rspamd-" + profile.Name);
        SocketRoute = Path.Combine(workDir, $"route-{profile.Name}.sock");
        string etc = Path.Combine(Dir, "etc");
        string db = Path.Combine(Dir, "db");
        string run = Path.Combine(Dir, "run");
        string log = Path.Combine(Dir, "log");
        LogPath = Path.Combine(log, "rspamd.log");
        if (Directory.Exists(Dir))
        {
            Directory.Delete(Dir, recursive: true); // a failed start of this profile before
        }

        Directory.CreateDirectory(Dir);
        WriteConfig(etc, repoRoot, hyperscanCache);
        foreach (string d in new[] { db, run, log })
        {
            Directory.CreateDirectory(d);
            Command.Check("chown", User + ":", d);
        }

        Command.Check("chmod", "-R", "a+rX", Dir);
        var stopwatch = Stopwatch.StartNew();
        _process = ChildProcess.Start("rspamd-" + profile.Name, Path.Combine(Dir, "stdout.log"), NetworkLab.In(ns,
            "rspamd", "-f", "-u", User, "-g", User, "-c", Path.Combine(etc, "rspamd.conf"),
            "--var=CONFDIR=" + etc, "--var=LOCAL_CONFDIR=" + etc, "--var=DBDIR=" + db, "--var=RUNDIR=" + run, "--var=LOGDIR=" + log));
        try
        {
            WaitReady();
        }
        catch
        {
            _process.Dispose();
            throw;
        }

        StartTime = stopwatch.Elapsed;
    }

    public RspamdProfile Profile { get; }

    public string Dir { get; }

    public string LogPath { get; }

    /// <summary>The path in rspamd's socket setting: a symlink the tests point where they need.</summary>
    public string SocketRoute { get; }

    public int NormalPort { get; }

    public int ControllerPort { get; }

    public TimeSpan StartTime { get; }

    /// <summary>Aims rspamd's socket setting at <paramref name="target"/> (which need not exist).</summary>
    public void Route(string target)
    {
        string temp = SocketRoute + ".new";
        File.Delete(temp);
        File.CreateSymbolicLink(temp, target);
        File.Move(temp, SocketRoute, overwrite: true);
    }

    /// <summary>Scans <paramref name="message"/> with rspamc as an MTA would, optionally naming the client address.</summary>
    public ScanResult Scan(string message, IPAddress? client)
    {
        var command = new List<string>(NetworkLab.In(_ns, "rspamc", "-h", $"127.0.0.1:{NormalPort}", "-t", "15", "-j"));
        if (client != null)
        {
            command.Add("-i");
            command.Add(client.ToString());
        }

        command.Add(message);
        // rspamc's own 15 s limit, and this one, only catch a stalled rspamd; the scenarios
        // check what rspamd reports, and each scan's duration is printed with its result
        CommandResult result = Command.Run(command, TimeSpan.FromSeconds(20));
        int start = result.Stdout.IndexOf('{', StringComparison.Ordinal);
        if (!result.Ok || start < 0)
        {
            throw new InvalidOperationException($"scan failed: {result}\nrspamd log:\n{LogTail()}");
        }

        return new ScanResult(result.Stdout[start..], result.Elapsed);
    }

    /// <summary>The log's length now: pass it to <see cref="LogSince"/> to read what one scenario logged.</summary>
    public long LogMark() => File.Exists(LogPath) ? new FileInfo(LogPath).Length : 0;

    public IReadOnlyList<string> LogSince(long mark)
    {
        // rspamd writes its log line by line; a short pause lets the last line of a scan land
        Thread.Sleep(200);
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(mark, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public string LogTail(int lines = 30) => string.Join('\n', LogSince(0).TakeLast(lines));

    private void WriteConfig(string etc, string repoRoot, string hyperscanCache)
    {
        Command.Check("cp", "-a", "/etc/rspamd", etc);
        foreach (string d in new[] { "local.d", "override.d" })
        {
            string path = Path.Combine(etc, d);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }

            Directory.CreateDirectory(path);
        }

        // rspamd.conf.local, rspamd.conf.override (not rspamd.conf, which .NET's "rspamd.conf.*" also matches)
        foreach (string f in Directory.EnumerateFiles(etc).Where(f => Path.GetFileName(f).StartsWith("rspamd.conf.", StringComparison.Ordinal)))
        {
            File.Delete(f);
        }

        string Local(string name) => Path.Combine(etc, "local.d", name);
        string Override(string name) => Path.Combine(etc, "override.d", name);
        File.WriteAllText(Override("worker-normal.inc"), $"bind_socket = \"127.0.0.1:{NormalPort}\";\ncount = 1;\n");
        File.WriteAllText(Override("worker-controller.inc"), $"bind_socket = \"127.0.0.1:{ControllerPort}\";\ncount = 1;\n");
        File.WriteAllText(Override("worker-proxy.inc"), "enabled = false;\n");
        // a full config compiles ~10 s of hyperscan databases on its first start; later starts
        // reuse them. rspamd deletes the files its own config does not use when it stops, and
        // redis switches on modules with more regexps: one directory for each kind of config.
        string cache = Path.Combine(hyperscanCache, Profile.Redis ? "redis" : "plain");
        Directory.CreateDirectory(cache);
        Command.Check("chown", User + ":", cache);
        File.WriteAllText(Local("options.inc"), $"hs_cache_dir = \"{cache}/\";\n");

        if (Profile.Plugin)
        {
            // exactly what "Using with rspamd" in README.md tells users to copy
            string source = Path.Combine(repoRoot, "rspamd");
            foreach (string d in new[] { "plugins.d", "modules.d", "local.d" })
            {
                Directory.CreateDirectory(Path.Combine(etc, d));
                foreach (string file in Directory.EnumerateFiles(Path.Combine(source, d)))
                {
                    File.Copy(file, Path.Combine(etc, d, Path.GetFileName(file)), overwrite: true);
                }
            }
        }

        var p0f = new StringBuilder();
        if (Profile.Stock)
        {
            p0f.Append("enabled = true;\n");
        }

        p0f.Append(CultureInfo.InvariantCulture, $"socket = \"{SocketRoute}\";\n");
        p0f.Append(CultureInfo.InvariantCulture, $"timeout = {TimeoutSeconds}s;\n");
        p0f.Append(Profile.P0fOverrides);
        File.WriteAllText(Override("p0f.conf"), p0f.ToString());

        if (Profile.Redis)
        {
            File.WriteAllText(Local("redis.conf"), $"servers = \"127.0.0.1:{Redis.Port}\";\n");
        }
    }

    private void WaitReady()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (!_process.IsRunning)
            {
                throw new InvalidOperationException($"rspamd ({Profile.Name}) exited:\n{_process.LogTail()}\n{SafeLogTail()}");
            }

            if (Ping(NormalPort) && Ping(ControllerPort))
            {
                return;
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException($"rspamd ({Profile.Name}) did not answer /ping within 120 s:\n{SafeLogTail()}");
    }

    private string SafeLogTail() => File.Exists(LogPath) ? LogTail() : "(no log)";

    private bool Ping(int port)
    {
        try
        {
            using Socket s = NetworkLab.InNamespace(_ns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            s.ReceiveTimeout = 1000;
            s.Connect(new IPEndPoint(IPAddress.Loopback, port));
            s.Send("GET /ping HTTP/1.0\r\n\r\n"u8);
            var buffer = new byte[4096];
            int total = 0;
            int n;
            while (total < buffer.Length && (n = s.Receive(buffer, total, buffer.Length - total, SocketFlags.None)) > 0)
            {
                total += n;
            }

            return Encoding.ASCII.GetString(buffer, 0, total).Contains("pong", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _process.Stop(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
