using System.Diagnostics;
using P0fSharp.Conformance.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Conformance.Tests.Differential;

/// <summary>
/// Guards the inputs of the differential suite: the committed crafted captures must be exactly
/// what tests/data/craft_cases.py produces, and data/p0f.fp (passed to both tools) must hold the
/// signatures of the installed p0f's /etc/p0f/p0f.fp.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class CraftedDataTests(ITestOutputHelper output)
{
    [Fact]
    public void Committed_crafted_captures_equal_a_fresh_generation()
    {
        string script = Path.Combine(ConformanceSettings.CraftedDir, "craft_cases.py");
        Assert.True(File.Exists(script), $"{script} is missing");
        if (!ScapyAvailable(out string why))
        {
            Assert.False(ConformanceSettings.UnderCi, $"CI must verify the crafted captures, but {why}; ./test.sh installs python3-scapy");
            output.WriteLine($"NOTE: not verified: {why}. Run ./test.sh (installs python3-scapy) to check.");
            return;
        }

        string fresh = TempRoot.Sub("crafted-fresh");
        (int code, string text) = RunPython(script, fresh);
        Assert.True(code == 0, $"craft_cases.py failed ({code}):\n{text}");

        var problems = new List<string>();
        string committed = ConformanceSettings.CraftedDir;
        foreach (string file in Directory.EnumerateFiles(fresh, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string rel = Path.GetRelativePath(fresh, file);
            string mine = Path.Combine(committed, rel);
            if (!File.Exists(mine))
            {
                problems.Add($"missing in tests/data: {rel}");
            }
            else if (!File.ReadAllBytes(mine).AsSpan().SequenceEqual(File.ReadAllBytes(file)))
            {
                problems.Add($"differs from a fresh generation: tests/data/{rel}");
            }
        }

        foreach (string sub in new[] { "pcaps", "fp" })
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(committed, sub)))
            {
                if (!File.Exists(Path.Combine(fresh, sub, Path.GetFileName(file))))
                {
                    problems.Add($"not produced by craft_cases.py (stale?): tests/data/{sub}/{Path.GetFileName(file)}");
                }
            }
        }

        output.WriteLine($"{Directory.EnumerateFiles(fresh, "*", SearchOption.AllDirectories).Count()} generated files compared");
        Assert.True(problems.Count == 0, "tests/data is out of date; regenerate with "
            + "'/usr/bin/python3 tests/data/craft_cases.py' and commit the result:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Repository_database_has_the_signatures_of_the_installed_p0f()
    {
        Tools.RequireRealP0f();
        const string stock = "/etc/p0f/p0f.fp";
        Assert.True(File.Exists(stock), $"{stock} is missing; run ./test.sh (installs the p0f package)");
        List<string> expected = Statements(stock);
        List<string> actual = Statements(ConformanceSettings.RepoDatabase);
        LineDiff.Result diff = LineDiff.Compare(expected, actual);
        output.WriteLine($"{expected.Count} statements compared, {diff.Differing} differing");
        Assert.True(diff.Equal, "data/p0f.fp must hold exactly the statements of p0f's database (comments aside):\n"
            + LineDiff.Render(diff, expected, actual, stock, "data/p0f.fp"));
    }

    /// <summary>Non-comment, non-blank lines, verbatim (p0f keeps trailing blanks of values).</summary>
    private static List<string> Statements(string path) =>
        Tools.ReadLines(path).Select(l => l.TrimEnd('\r'))
            .Where(l => l.TrimStart().Length > 0 && !l.TrimStart().StartsWith(';')).ToList();

    private static bool ScapyAvailable(out string why)
    {
        string python = CaseCatalog.Python();
        (int code, string text) = Run(python, ["-c", "import scapy.utils"]);
        why = code == 0 ? "" : $"{python} cannot import scapy ({text.Trim().Split('\n').LastOrDefault()})";
        return code == 0;
    }

    private static (int, string) RunPython(string script, string outDir) => Run(CaseCatalog.Python(), [script, outDir]);

    private static (int, string) Run(string program, string[] args)
    {
        var psi = new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using Process p = Process.Start(psi)!;
            Task<string> o = p.StandardOutput.ReadToEndAsync();
            Task<string> e = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(300_000))
            {
                p.Kill(entireProcessTree: true);
                return (-1, "timed out");
            }

            return (p.ExitCode, o.Result + e.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
