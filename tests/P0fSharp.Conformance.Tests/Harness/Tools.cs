using System.Diagnostics;
using System.Text;
using Xunit;

namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>A command (program + leading arguments) that accepts p0f's command line.</summary>
internal sealed record ToolCommand(string Label, string Program, IReadOnlyList<string> Prefix)
{
    public override string ToString() => Prefix.Count == 0 ? Program : Program + " " + string.Join(' ', Prefix);
}

/// <summary>What one run of a tool produced.</summary>
internal sealed record ToolResult(
    ToolCommand Command,
    IReadOnlyList<string> Arguments,
    int ExitCode,
    bool TimedOut,
    string Stdout,
    string Stderr,
    IReadOnlyList<string> LogLines,
    string WorkDir)
{
    public string CommandLine => Command + " " + string.Join(' ', Arguments.Select(Quote));

    private static string Quote(string arg) => arg.Length > 0 && arg.All(c => !char.IsWhiteSpace(c) && c != '\'')
        ? arg
        : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>Locates and runs the real p0f and P0fSharp.</summary>
internal static class Tools
{
    public const string LogName = "conformance.log";

    private static readonly Lazy<ToolCommand?> s_realP0f = new(FindRealP0f);
    private static readonly Lazy<ToolCommand> s_ours = new(FindOurs);

    /// <summary>The real p0f 3.09b, or null when it is not installed.</summary>
    public static ToolCommand? RealP0f => s_realP0f.Value;

    /// <summary>P0fSharp: <c>P0FSHARP_CMD</c> if set (e.g. "p0f" to test the harness), else the built p0fsharp.dll.</summary>
    public static ToolCommand Ours => s_ours.Value;

    public static bool OursIsSubstituted => Environment.GetEnvironmentVariable("P0FSHARP_CMD") is { Length: > 0 };

    /// <summary>Fails the calling test when the real p0f is missing: conformance cannot be proven without it.</summary>
    public static ToolCommand RequireRealP0f()
    {
        if (RealP0f is { } p0f)
        {
            return p0f;
        }

        Assert.Fail("The real p0f 3.09b is not installed (looked at $P0F_CMD, p0f on PATH and /usr/sbin/p0f), so "
            + "P0fSharp's conformance cannot be checked. Run ./test.sh from the repository root: it installs p0f "
            + "(apt package 'p0f') and the other test dependencies, then runs the tests.");
        throw new InvalidOperationException("unreachable");
    }

    private static ToolCommand? FindRealP0f()
    {
        if (Environment.GetEnvironmentVariable("P0F_CMD") is { Length: > 0 } custom)
        {
            ToolCommand command = Parse("p0f", custom);
            return Locate(command.Program) is { } program ? command with { Program = program } : null;
        }

        return Locate("p0f") is { } p0f ? new ToolCommand("p0f", p0f, []) : null;
    }

    /// <summary>An executable: a path as given, or a name searched on PATH and the sbin folders.</summary>
    private static string? Locate(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? Path.GetFullPath(program) : null;
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                     .Append("/usr/sbin").Append("/usr/local/sbin"))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static ToolCommand FindOurs()
    {
        if (Environment.GetEnvironmentVariable("P0FSHARP_CMD") is { Length: > 0 } custom)
        {
            ToolCommand command = Parse("p0fsharp", custom);
            return command with { Program = Locate(command.Program) ?? command.Program };
        }

        // The test project references src/Host, so the build copies p0fsharp.dll next to the tests.
        string dll = Path.Combine(AppContext.BaseDirectory, "p0fsharp.dll");
        return new ToolCommand("p0fsharp", "dotnet", [dll]);
    }

    private static ToolCommand Parse(string label, string commandLine)
    {
        string[] words = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new ToolCommand(label, words[0], words[1..]);
    }

    /// <summary>
    /// Runs <paramref name="tool"/> with <paramref name="arguments"/> in a fresh <paramref name="workDir"/>
    /// (TZ=UTC, stdin closed) and collects stdout, stderr and the log file <see cref="LogName"/> if
    /// one was written there. Output is decoded as Latin-1 so every byte survives the comparison.
    /// </summary>
    public static ToolResult Run(ToolCommand tool, IReadOnlyList<string> arguments, string workDir)
    {
        if (Directory.Exists(workDir))
        {
            Directory.Delete(workDir, recursive: true);
        }

        Directory.CreateDirectory(workDir);

        var psi = new ProcessStartInfo(tool.Program)
        {
            WorkingDirectory = workDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.Latin1,
            StandardErrorEncoding = Encoding.Latin1,
            UseShellExecute = false,
        };
        foreach (string word in tool.Prefix)
        {
            psi.ArgumentList.Add(word);
        }

        foreach (string arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        // Both sides get it, so P0FSHARP_CMD=/usr/sbin/p0f (p0f against p0f) is deterministic too;
        // managed code never calls strptime, so the shim is inert in p0fsharp.
        PreloadDateShim(psi);

        psi.Environment["TZ"] = "UTC";
        psi.Environment["LC_ALL"] = "C";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";

        using var process = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.Append(e.Data).Append('\n');
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.Append(e.Data).Append('\n');
                }
            }
        };

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"cannot start '{tool.Program}': {ex.Message}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool exited = process.WaitForExit(ConformanceSettings.ProcessTimeout);
        if (!exited)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // it exited after all
            }
        }

        process.WaitForExit(); // drains the asynchronous readers
        string logPath = Path.Combine(workDir, LogName);
        IReadOnlyList<string> log = File.Exists(logPath) ? ReadLines(logPath) : [];
        string outText;
        string errText;
        lock (stdout)
        {
            outText = stdout.ToString();
        }

        lock (stderr)
        {
            errText = stderr.ToString();
        }

        return new ToolResult(tool, arguments, exited ? process.ExitCode : -1, !exited, outText, errText, log, workDir);
    }

    /// <summary>Every tool runs with <see cref="DateShim"/> preloaded (mandatory under CI).</summary>
    private static void PreloadDateShim(ProcessStartInfo psi)
    {
        if (DateShim.Path is { } shim)
        {
            psi.Environment["LD_PRELOAD"] = shim;
            return;
        }

        Assert.False(ConformanceSettings.UnderCi, $"the p0f Date shim could not be built: {DateShim.Problem}");
    }

    /// <summary>Lines of a file, decoded byte for byte (Latin-1), without the line terminators.</summary>
    public static List<string> ReadLines(string path)
    {
        string text = File.ReadAllText(path, Encoding.Latin1);
        return SplitLines(text);
    }

    public static List<string> SplitLines(string text)
    {
        var lines = new List<string>(text.Split('\n'));
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }
}
