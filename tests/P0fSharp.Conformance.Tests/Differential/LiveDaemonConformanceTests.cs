using System.Diagnostics;
using P0fSharp.Conformance.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Conformance.Tests.Differential;

/// <summary>
/// p0f warns about cache pressure ("Too many tracked connections / host entries, deleting N.
/// Use -m to adjust.") only when capturing live. tests/data/real/live_daemons.sh runs the real
/// p0f and P0fSharp side by side on one veth interface with <c>-m 1,6</c> while eight client
/// addresses fetch pages in parallel; their -o logs, stdout and the sequence of warnings must
/// be identical, and both kinds of warning must occur.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class LiveDaemonConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Live_daemons_log_and_warn_about_evictions_like_p0f()
    {
        ToolCommand p0f = Tools.RequireRealP0f();
        string script = Path.Combine(CaseCatalog.RealDir, "live_daemons.sh");
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/curl"))
        {
            Assert.False(ConformanceSettings.UnderCi, "CI must run the live daemons as root with curl installed");
            output.WriteLine("NOTE: live daemon comparison needs root and curl; skipped.");
            return;
        }

        string dir = TempRoot.Sub("live-daemons");
        string[] args = ["-f", ConformanceSettings.RepoDatabase, "-m", "1,6"];
        var psi = new ProcessStartInfo("bash", [script, dir, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["P0FSHARP"] = Tools.Ours.ToString();
        psi.Environment["P0F"] = p0f.Program;
        if (DateShim.Path is { } shim)
        {
            psi.Environment["P0F_LD_PRELOAD"] = shim;
        }

        (bool ok, string text) = RunScript(psi);
        Assert.True(ok, text);
        output.WriteLine(text);

        ToolResult reference = Load(p0f, args, Path.Combine(dir, "p0f"));
        ToolResult ours = Load(Tools.Ours, args, Path.Combine(dir, "ours"));
        var c = new ConformanceCase(LiveTrafficConformanceTests.Group, "daemons_live_m1_6",
            "p0f and p0fsharp capturing one interface live, -m 1,6", "(live interface)", ConformanceSettings.RepoDatabase,
            args, null, ExpectLines: true, ExpectExit: 0, ReferenceLog: null);
        var pair = new RunPair(c, reference, ours);

        List<string> warnings = Tools.SplitLines(reference.Stderr);
        Assert.Contains(warnings, l => l.Contains("Too many tracked connections, deleting", StringComparison.Ordinal));
        Assert.Contains(warnings, l => l.Contains("Too many host entries, deleting", StringComparison.Ordinal));
        DifferentialCheck.CompareLogs(pair, output);
        DifferentialCheck.CompareTerminal(pair, output);
    }

    private static (bool Ok, string Text) RunScript(ProcessStartInfo psi)
    {
        using Process process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
        {
            // SIGTERM first so the script's trap removes its namespaces and daemons.
            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit(5_000);
            if (!process.WaitForExit(20_000))
            {
                process.Kill(entireProcessTree: true);
            }

            return (false, "live_daemons.sh did not finish within 3 minutes");
        }

        string text = stdout.Result + stderr.Result;
        return process.ExitCode == 0 ? (true, text.Trim()) : (false, $"live_daemons.sh failed ({process.ExitCode}): {text}");
    }

    /// <summary>
    /// One daemon's files. Of stderr only the cache warnings are compared: start-up and shutdown
    /// lines of a live run (capture statistics, signal notices) differ by design.
    /// </summary>
    private static ToolResult Load(ToolCommand tool, string[] args, string dir)
    {
        string log = Path.Combine(dir, "live.log");
        string stderr = string.Concat(Tools.ReadLines(Path.Combine(dir, "err"))
            .Where(l => l.Contains("Too many ", StringComparison.Ordinal)).Select(l => l + "\n"));
        string stdout = File.ReadAllText(Path.Combine(dir, "out"), System.Text.Encoding.Latin1);
        return new ToolResult(tool, ["-i", "(veth)", "-o", "live.log", .. args], 0, false, stdout, stderr,
            File.Exists(log) ? Tools.ReadLines(log) : [], dir);
    }
}
