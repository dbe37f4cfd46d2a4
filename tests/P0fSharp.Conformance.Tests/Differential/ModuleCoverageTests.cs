using System.Globalization;
using P0fSharp.Conformance.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Conformance.Tests.Differential;

/// <summary>
/// The differential captures must exercise every module p0f logs, substantially: a comparison
/// that never sees an <c>ip sharing</c> line proves nothing about it. Counts the reference's
/// log lines per module over every offline capture (the runs are shared with the log and
/// terminal tests, so nothing runs twice).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ModuleCoverageTests(ITestOutputHelper output)
{
    /// <summary>Fewest p0f log lines per module, over all captures, that the suite accepts.</summary>
    public const int MinimumLinesPerModule = 500;

    /// <summary>Fewest captures in which each module must appear.</summary>
    public const int MinimumCapturesPerModule = 5;

    private static readonly Lazy<Dictionary<string, (int Lines, int Captures)>> s_counts = new(Count);

    public static TheoryData<string> Modules => [.. ConformanceSummary.Modules];

    [Theory]
    [MemberData(nameof(Modules))]
    public void Module_is_exercised_by_the_captures(string module)
    {
        Tools.RequireRealP0f();
        (int lines, int captures) = s_counts.Value.GetValueOrDefault(module);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mod={module}: {lines} p0f log lines in {captures} captures"));
        Assert.True(lines >= MinimumLinesPerModule && captures >= MinimumCapturesPerModule,
            $"mod={module}: only {lines} p0f log lines in {captures} captures; the differential needs at least "
            + $"{MinimumLinesPerModule} lines in {MinimumCapturesPerModule} captures (tests/data/craft_modules.py)");
    }

    private static Dictionary<string, (int, int)> Count()
    {
        ToolCommand p0f = Tools.RequireRealP0f();
        var counts = new Dictionary<string, (int Lines, int Captures)>(StringComparer.Ordinal);
        foreach (string group in CaseCatalog.Groups)
        {
            foreach (ConformanceCase c in CaseCatalog.Group(group))
            {
                RunPair pair = DifferentialRuns.Get(c, p0f);
                foreach (IGrouping<string?, string> g in pair.P0f.LogLines.GroupBy(ModuleSet.ModuleOfLogLine))
                {
                    if (g.Key is { } module)
                    {
                        (int lines, int captures) = counts.GetValueOrDefault(module);
                        counts[module] = (lines + g.Count(), captures + 1);
                    }
                }
            }
        }

        return counts;
    }
}
