using System.Text.RegularExpressions;
using P0fSharp.Conformance.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Conformance.Tests.Differential;

/// <summary>
/// <c>p0fsharp -r FILE --stats</c> says what the limits dropped (p0f itself is silent about it
/// offline); the default output carries no such line, so terminal conformance is untouched.
/// Runs on captures whose logs the differential tests already prove identical to p0f's.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class DropStatisticsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("crafted", "c51_limits_small", "flows-evicted,hosts-evicted,hosts-expired")]
    [InlineData("crafted", "c52_limits_clock_backwards", "flows-evicted,flows-expired,hosts-expired,out-of-sequence")]
    [InlineData("crafted", "c50_http_bad_input", "http-abandoned")]
    [InlineData("crafted", "c49_http_variants", "http-abandoned,out-of-sequence")]
    [InlineData("generated", "stress_flood_m_100_500", "flows-evicted,hosts-evicted")]
    [InlineData("generated", "stress_conn_flood_m_50_1000", "flows-evicted")]
    public void Stats_report_what_the_limits_dropped(string group, string name, string expected)
    {
        ConformanceCase c = CaseCatalog.Get(group, name);
        CaseCatalog.EnsureGenerated(c);
        var args = c.Arguments().Where(a => a != "-o" && a != Tools.LogName).ToList();
        args.Add("--stats");
        ToolResult ours = Tools.Run(Tools.Ours, args, TempRoot.Sub("stats", name));
        Assert.Equal(0, ours.ExitCode);
        string? line = Tools.SplitLines(ours.Stderr).LastOrDefault(l => l.StartsWith("[+] Engine statistics: ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no statistics line on stderr:\n{ours.Stderr}");
        output.WriteLine(line);

        Dictionary<string, long> n = Parse(line!);
        Assert.Equal(n["hosts-created"] - n["hosts-evicted"] - n["hosts-expired"], n["hosts-now"]);
        Assert.True(n["flows-now"] <= MaxFlows(c) + 1, $"{n["flows-now"]} flows left, more than the cap allows");
        foreach (string counter in expected.Split(','))
        {
            Assert.True(n[counter] > 0, $"{counter} is 0 on {name}: {line}");
        }

        // Without --stats nothing is added (p0f prints no such line).
        ToolResult plain = Tools.Run(Tools.Ours, args.Take(args.Count - 1).ToList(), TempRoot.Sub("stats", name + "-plain"));
        Assert.DoesNotContain("Engine statistics", plain.Stderr + plain.Stdout, StringComparison.Ordinal);
    }

    private static int MaxFlows(ConformanceCase c)
    {
        int at = c.Args.ToList().IndexOf("-m");
        return at < 0 ? 1000 : int.Parse(c.Args[at + 1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Dictionary<string, long> Parse(string line)
    {
        Match m = StatsLine().Match(line);
        Assert.True(m.Success, "unexpected statistics format: " + line);
        return m.Groups.Cast<Group>().Where(g => !char.IsDigit(g.Name[0]))
            .ToDictionary(g => g.Name.Replace('_', '-'), g => long.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"HTTP requests \d+, responses \d+, abandoned (?<http_abandoned>\d+); flows (?<flows_now>\d+) now, \d+ created, "
        + @"(?<flows_evicted>\d+) evicted \(cap\), (?<flows_expired>\d+) expired \(age\), (?<out_of_sequence>\d+) out-of-sequence "
        + @"segments ignored; hosts (?<hosts_now>\d+) now, (?<hosts_created>\d+) created, (?<hosts_evicted>\d+) evicted \(cap\), "
        + @"\d+ cap overflows with the oldest host in use, (?<hosts_expired>\d+) expired \(idle\)")]
    private static partial Regex StatsLine();
}
