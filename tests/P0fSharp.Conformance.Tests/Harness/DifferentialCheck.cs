using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>The assertions shared by the log and terminal-output differential tests.</summary>
internal static class DifferentialCheck
{
    /// <summary>Handles the placeholder row of a group whose inputs are absent. Returns true when the test is done.</summary>
    public static bool HandleUnavailable(string group, string name, ITestOutputHelper output)
    {
        if (name != CaseCatalog.Unavailable)
        {
            return false;
        }

        string why = CaseCatalog.WhyUnavailable(group);
        if (ConformanceSettings.UnderCi)
        {
            Assert.Fail($"CI must run the {group} captures, but {why}. The shared reference folder must sit beside "
                + "the checkout as ../shared (or set P0F_SHARED_DIR).");
        }

        output.WriteLine($"NOTE: {group} captures not run: {why}.");
        return true;
    }

    /// <summary>Runs both tools (cached) after checking the prerequisites.</summary>
    public static RunPair Run(string group, string name)
    {
        ToolCommand p0f = Tools.RequireRealP0f();
        ConformanceCase c = CaseCatalog.Get(group, name);
        Assert.True(File.Exists(c.Capture) || c.Generator is not null, $"capture {c.Capture} is missing");
        RunPair pair = DifferentialRuns.Get(c, p0f);
        Assert.False(pair.P0f.TimedOut, $"p0f did not finish within {ConformanceSettings.ProcessTimeout} on {c.Id}");
        Assert.False(pair.Ours.TimedOut,
            $"{Tools.Ours.Label} did not finish within {ConformanceSettings.ProcessTimeout} on {c.Id}\n{Describe(pair)}");
        return pair;
    }

    /// <summary>The whole <c>-o</c> log of both tools, reduced to the compared modules, must be identical.</summary>
    public static void CompareLogs(RunPair pair, ITestOutputHelper output)
    {
        ConformanceCase c = pair.Case;
        ModuleSet modules = ConformanceSettings.Modules;
        List<string> expected = modules.FilterLog(pair.P0f.LogLines);
        List<string> actual = modules.FilterLog(pair.Ours.LogLines);

        // Sanity of the reference itself: p0f must still produce what was recorded in ../shared.
        bool? expectLines = c.ExpectLines;
        if (c.ReferenceLog is not null)
        {
            List<string> recorded = modules.FilterLog(Tools.ReadLines(c.ReferenceLog));
            LineDiff.Result oracle = LineDiff.Compare(recorded, expected);
            if (!oracle.Equal)
            {
                ConformanceSummary.Record(ConformanceSummary.LogKind, c, expected.Count, -1, "REFERENCE DRIFT");
                Assert.Fail($"{c.Id}: the installed p0f no longer reproduces the recorded vector output "
                    + $"({c.ReferenceLog}); the environment (p0f version or data/p0f.fp) is wrong, not P0fSharp.\n"
                    + LineDiff.Render(oracle, recorded, expected, "recorded " + Path.GetFileName(c.ReferenceLog), "p0f now"));
            }

            expectLines ??= recorded.Count > 0;
        }

        expectLines ??= expected.Count > 0;

        Assert.True(pair.P0f.ExitCode == c.ExpectExit,
            $"{c.Id}: p0f exited with {pair.P0f.ExitCode}, the case expects {c.ExpectExit}: the reference run is broken.\n"
            + Describe(pair));

        LineDiff.Result diff = LineDiff.Compare(expected, actual);
        bool exitSame = pair.P0f.ExitCode == pair.Ours.ExitCode;
        string result = diff.Equal && exitSame ? "ok" : !exitSame ? $"EXIT {pair.Ours.ExitCode} != {pair.P0f.ExitCode}" : "DIFFERENT";
        ConformanceSummary.RecordModules(c, expected, actual, diff);
        output.WriteLine(ConformanceSummary.Record(ConformanceSummary.LogKind, c, expected.Count, diff.Differing, result));
        output.WriteLine($"capture: {c.Capture}");
        output.WriteLine($"p0f: {pair.P0f.CommandLine}");
        output.WriteLine($"ours: {pair.Ours.CommandLine}");

        if (!diff.Equal)
        {
            Assert.Fail($"{c.Id} ({c.Capture}): {diff.Differing} of the compared -o log lines differ "
                + $"(modules {modules}; {expected.Count} p0f lines, {actual.Count} {Tools.Ours.Label} lines)\n"
                + LineDiff.Render(diff, expected, actual, "p0f " + Path.GetFileName(c.Capture), Tools.Ours.Label)
                + "\n" + Describe(pair));
        }

        Assert.True(exitSame, $"{c.Id}: exit status {pair.Ours.ExitCode}, p0f's is {pair.P0f.ExitCode}\n{Describe(pair)}");
        if (expectLines == true)
        {
            Assert.True(expected.Count > 0, $"{c.Id}: this capture must produce {modules} lines, but p0f wrote none:"
                + " the capture or the module selection is wrong");
        }
        else if (c.ExpectLines == false && modules.IsAll is false)
        {
            Assert.True(expected.Count == 0, $"{c.Id} is meant to produce no {modules} lines (p0f drops its packets), "
                + $"but p0f wrote {expected.Count}: the capture no longer tests what it says");
        }
    }

    /// <summary>Terminal output: stdout (blocks of compared modules + all other lines) and stderr, minus <see cref="ExpectedDifferences"/>.</summary>
    public static void CompareTerminal(RunPair pair, ITestOutputHelper output)
    {
        ConformanceCase c = pair.Case;
        ModuleSet modules = ConformanceSettings.Modules;
        List<string> expectedOut = ExpectedDifferences.Strip(TerminalTranscript.Filter(pair.P0f.Stdout, modules, out int blocks), "stdout");
        List<string> actualOut = ExpectedDifferences.Strip(TerminalTranscript.Filter(pair.Ours.Stdout, modules, out _), "stdout");
        List<string> expectedErr = ExpectedDifferences.Strip(Tools.SplitLines(pair.P0f.Stderr), "stderr");
        List<string> actualErr = ExpectedDifferences.Strip(Tools.SplitLines(pair.Ours.Stderr), "stderr");

        LineDiff.Result outDiff = LineDiff.Compare(expectedOut, actualOut);
        LineDiff.Result errDiff = LineDiff.Compare(expectedErr, actualErr);
        int differing = outDiff.Differing + errDiff.Differing;
        string result = differing == 0 ? "ok" : "DIFFERENT";
        output.WriteLine(ConformanceSummary.Record(ConformanceSummary.TerminalKind, c, expectedOut.Count + expectedErr.Count,
            differing, result) + $" ({blocks} observation blocks)");

        if (differing != 0)
        {
            var sb = new StringBuilder();
            sb.Append(c.Id).Append(" (").Append(c.Capture).Append("): terminal output differs from p0f's (modules ")
              .Append(modules).Append("; expected differences are listed in Harness/ExpectedDifferences.cs)\n");
            if (!outDiff.Equal)
            {
                sb.Append(LineDiff.Render(outDiff, expectedOut, actualOut, "p0f stdout", Tools.Ours.Label + " stdout"));
            }

            if (!errDiff.Equal)
            {
                sb.Append(LineDiff.Render(errDiff, expectedErr, actualErr, "p0f stderr", Tools.Ours.Label + " stderr"));
            }

            Assert.Fail(sb.ToString());
        }
    }

    /// <summary>Command lines, exit codes and the start of stderr of both runs, for failure messages.</summary>
    public static string Describe(RunPair pair)
    {
        var sb = new StringBuilder();
        foreach (ToolResult r in new[] { pair.P0f, pair.Ours })
        {
            sb.Append(r.Command.Label).Append(": exit ").Append(r.ExitCode).Append(r.TimedOut ? " (timed out)" : "")
              .Append(", ").Append(r.LogLines.Count).Append(" log lines\n  $ ").Append(r.CommandLine).Append('\n');
            List<string> err = Tools.SplitLines(r.Stderr);
            foreach (string line in err.Take(8))
            {
                sb.Append("  stderr| ").Append(line).Append('\n');
            }

            if (err.Count > 8)
            {
                sb.Append("  stderr| … ").Append(err.Count - 8).Append(" more lines\n");
            }
        }

        return sb.ToString();
    }
}
