using System.Diagnostics;
using System.Text;

namespace P0fSharp.Rspamd.Tests.Support;

internal sealed record CommandResult(string CommandLine, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, bool TimedOut)
{
    public bool Ok => ExitCode == 0 && !TimedOut;

    public override string ToString() =>
        $"{CommandLine} -> exit {ExitCode}{(TimedOut ? " (killed: timeout)" : "")} in {Elapsed.TotalSeconds:0.00}s\n{Stdout}{Stderr}";
}

/// <summary>Runs a short command to completion with a hard time limit.</summary>
internal static class Command
{
    public static CommandResult Run(IReadOnlyList<string> command, TimeSpan timeout, string? stdin = null)
    {
        var psi = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string word in command.Skip(1))
        {
            psi.ArgumentList.Add(word);
        }

        string line = string.Join(' ', command);
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + line);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin != null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        bool exited = process.WaitForExit(timeout);
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.WaitForExit();
        return new CommandResult(line, exited ? process.ExitCode : -1, stdout.Result, stderr.Result, stopwatch.Elapsed, !exited);
    }

    public static CommandResult Run(params string[] command) => Run(command, TimeSpan.FromSeconds(30));

    /// <summary>Runs it and fails with the command's output when it does not exit 0.</summary>
    public static CommandResult Check(params string[] command)
    {
        CommandResult result = Run(command);
        if (!result.Ok)
        {
            throw new InvalidOperationException(result.ToString());
        }

        return result;
    }

    /// <summary>The full path of a program on PATH or in the sbin folders, or null.</summary>
    public static string? Find(string program)
    {
        IEnumerable<string> dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/usr/local/sbin"]);
        return dirs.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
    }
}
