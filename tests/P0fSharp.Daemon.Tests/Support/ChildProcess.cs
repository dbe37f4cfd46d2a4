using System.Diagnostics;
using System.Text;

namespace P0fSharp.Daemon.Tests.Support;

/// <summary>
/// A long-running child (a daemon, a listener) whose stdout and stderr lines are collected as
/// they arrive. Every wait is bounded; Dispose kills it by PID if it is still running.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly object _gate = new();
    private readonly CountdownEvent _streamsClosed = new(2);
    private bool _disposed;

    private ChildProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
    }

    public string CommandLine { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stdout);
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stderr];
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="program"/>. The child gets a clean service environment: no
    /// systemd or P0FSHARP_* variables inherited from wherever the tests run, TZ=UTC, LC_ALL=C,
    /// plus <paramref name="environment"/>.
    /// </summary>
    public static ChildProcess Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.Latin1,
            StandardErrorEncoding = Encoding.Latin1,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (string key in psi.Environment.Keys.ToList())
        {
            if (key.StartsWith("P0FSHARP_", StringComparison.Ordinal)
                || key is "NOTIFY_SOCKET" or "JOURNAL_STREAM" or "LISTEN_PID" or "LISTEN_FDS" or "INVOCATION_ID")
            {
                psi.Environment.Remove(key);
            }
        }

        psi.Environment["TZ"] = "UTC";
        psi.Environment["LC_ALL"] = "C";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (environment != null)
        {
            foreach ((string key, string value) in environment)
            {
                psi.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = psi };
        var child = new ChildProcess(process, program + " " + string.Join(' ', psi.ArgumentList));
        process.OutputDataReceived += (_, e) => child.Add(child._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(child._stderr, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for a stdout line matching <paramref name="match"/>; throws with the transcript on timeout or exit.</summary>
    public string WaitForStdout(Func<string, bool> match, TimeSpan timeout, string what) => WaitFor(_stdout, match, timeout, what);

    /// <summary>Waits for a stderr line matching <paramref name="match"/>; throws with the transcript on timeout or exit.</summary>
    public string WaitForStderr(Func<string, bool> match, TimeSpan timeout, string what) => WaitFor(_stderr, match, timeout, what);

    /// <summary>Counts lines (stdout or stderr) matching <paramref name="match"/> so far.</summary>
    public int Count(bool stderr, Func<string, bool> match)
    {
        lock (_gate)
        {
            return (stderr ? _stderr : _stdout).Count(match);
        }
    }

    public void Signal(int signal)
    {
        if (Native.kill(Pid, signal) != 0 && !HasExited)
        {
            throw new InvalidOperationException($"kill({Pid}, {signal}) failed.");
        }
    }

    /// <summary>
    /// Waits for the process to end, then (briefly) for the rest of its output. Not for the end
    /// of the streams as such: a daemonised grandchild may keep the pipes open for its lifetime.
    /// </summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        _streamsClosed.Wait(TimeSpan.FromSeconds(2));
        return true;
    }

    /// <summary>Signals, waits, and returns the exit code; throws with the transcript if it does not end.</summary>
    public int Stop(int signal, TimeSpan timeout)
    {
        Signal(signal);
        if (!WaitForExit(timeout))
        {
            throw new TimeoutException($"{CommandLine} did not exit within {timeout.TotalSeconds} s of signal {signal}.\n{Transcript()}");
        }

        return ExitCode;
    }

    public string Transcript() => $"--- {CommandLine} (pid {Pid})\n--- stdout:\n{Stdout}\n--- stderr:\n{Stderr}";

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                Native.kill(_process.Id, Native.SIGCONT); // in case a test stopped it
                Native.kill(_process.Id, Native.SIGKILL);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            try
            {
                _streamsClosed.Signal();
            }
            catch (InvalidOperationException)
            {
            }

            return;
        }

        lock (_gate)
        {
            lines.Add(line);
            Monitor.PulseAll(_gate);
        }
    }

    private string WaitFor(List<string> lines, Func<string, bool> match, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        int checkedCount = 0;
        lock (_gate)
        {
            while (true)
            {
                for (; checkedCount < lines.Count; checkedCount++)
                {
                    if (match(lines[checkedCount]))
                    {
                        return lines[checkedCount];
                    }
                }

                TimeSpan left = timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                if (_process.HasExited && clock.Elapsed > TimeSpan.FromMilliseconds(200) && !Monitor.Wait(_gate, 200))
                {
                    // Exited and nothing more arrived: the line will never come.
                    break;
                }

                Monitor.Wait(_gate, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            }
        }

        throw new TimeoutException($"Waited {timeout.TotalSeconds} s for {what}; not seen.\n{Transcript()}");
    }
}
