using System.Diagnostics;

namespace P0fSharp.Rspamd.Tests.Support;

/// <summary>
/// A long-running program the tests started (daemon, rspamd, redis), its output in a log file.
/// Started through <c>sh -c 'exec "$@" &gt;&gt;LOG 2&gt;&amp;1'</c>, and <c>ip netns exec</c> execs as
/// well, so the PID is the program's own and it is stopped by that PID, never by name.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(string name, Process process, string logPath)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
        Pid = process.Id;
    }

    public string Name { get; }

    public int Pid { get; }

    public string LogPath { get; }

    public bool IsRunning => !_process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static ChildProcess Start(string name, string logPath, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$@\" >>\"$P0FS_LOG\" 2>&1 </dev/null");
        psi.ArgumentList.Add("sh");
        foreach (string word in command)
        {
            psi.ArgumentList.Add(word);
        }

        psi.Environment["P0FS_LOG"] = logPath;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (environment != null)
        {
            foreach ((string key, string value) in environment)
            {
                psi.Environment[key] = value;
            }
        }

        File.AppendAllText(logPath, $"### {name}: {string.Join(' ', command)}\n");
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {name}");
        return new ChildProcess(name, process, logPath);
    }

    /// <summary>PIDs of the direct children (rspamd's workers), from /proc.</summary>
    public IReadOnlyList<int> Children()
    {
        var result = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (rest.Length > 1 && int.TryParse(rest[1], out int ppid) && ppid == Pid)
                {
                    result.Add(pid);
                }
            }
            catch (IOException)
            {
                // gone meanwhile
            }
        }

        return result;
    }

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then SIGKILL; children left over are killed by PID too.</summary>
    public void Stop(TimeSpan grace)
    {
        IReadOnlyList<int> children = _process.HasExited ? [] : Children();
        if (!_process.HasExited)
        {
            Native.Signal(Pid, Native.SIGTERM);
            if (!_process.WaitForExit(grace))
            {
                Native.Signal(Pid, Native.SIGKILL);
                _process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }

        foreach (int child in children)
        {
            var deadline = Stopwatch.StartNew();
            while (Native.IsAlive(child) && deadline.Elapsed < TimeSpan.FromSeconds(3))
            {
                Thread.Sleep(20);
            }

            if (Native.IsAlive(child))
            {
                Native.Signal(child, Native.SIGKILL);
            }
        }
    }

    /// <summary>SIGKILL: the program gets no chance to clean up (a stale socket stays behind).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            Native.Signal(Pid, Native.SIGKILL);
            _process.WaitForExit(TimeSpan.FromSeconds(5));
        }
    }

    public string LogTail(int lines = 8)
    {
        try
        {
            string[] all = File.ReadAllLines(LogPath);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }
}
