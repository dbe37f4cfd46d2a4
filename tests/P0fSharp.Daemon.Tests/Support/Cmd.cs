using System.Diagnostics;
using System.Text;

namespace P0fSharp.Daemon.Tests.Support;

internal sealed record CmdResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"{CommandLine} -> exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs short-lived commands (ip, stat, python3 one-liners) with a time limit.</summary>
internal static class Cmd
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static CmdResult Run(string program, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        string line = program + " " + string.Join(' ', psi.ArgumentList);
        using var process = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data != null)
            {
                lock (stdout)
                {
                    stdout.Append(e.Data).Append('\n');
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null)
            {
                lock (stderr)
                {
                    stderr.Append(e.Data).Append('\n');
                }
            }
        };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout ?? DefaultTimeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            process.WaitForExit(5000);
            throw new TimeoutException($"'{line}' did not finish within {(timeout ?? DefaultTimeout).TotalSeconds} s.");
        }

        process.WaitForExit();
        lock (stdout)
        {
            lock (stderr)
            {
                return new CmdResult(line, process.ExitCode, stdout.ToString(), stderr.ToString());
            }
        }
    }

    public static CmdResult Run(string program, params string[] arguments) => Run(program, (IEnumerable<string>)arguments);

    /// <summary>Runs and throws with the full transcript when the exit status is not 0.</summary>
    public static CmdResult Check(string program, params string[] arguments)
    {
        CmdResult r = Run(program, arguments);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException("Command failed: " + r);
        }

        return r;
    }
}
