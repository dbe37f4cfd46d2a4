using System.Globalization;
using System.Text;

namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>
/// Per-capture totals of the differential tests, rewritten to artifacts/conformance-summary.txt
/// after every comparison (so an interrupted run still leaves a usable file).
/// </summary>
internal static class ConformanceSummary
{
    public const string LogKind = "log";
    public const string TerminalKind = "terminal";

    /// <summary>The observation modules p0f logs, in the order the per-module table lists them.</summary>
    public static readonly string[] Modules =
        ["syn", "syn+ack", "mtu", "uptime", "host change", "ip sharing", "http request", "http response"];

    public sealed record Row(string Kind, string Group, string Name, int Compared, int Differing, string Result);

    private static readonly object s_lock = new();
    private static readonly Dictionary<(string Kind, string Id), Row> s_rows = [];
    private static readonly Dictionary<string, IReadOnlyDictionary<string, (int Compared, int Differing)>> s_moduleRows = [];

    /// <summary>
    /// Per-module counts of one capture's log comparison: reference lines of each module, and
    /// the differing lines attributed to the module of the line (p0f's line when missing from
    /// ours, our line when extra).
    /// </summary>
    public static void RecordModules(ConformanceCase c, IReadOnlyList<string> expected, IReadOnlyList<string> actual, LineDiff.Result diff)
    {
        var counts = new Dictionary<string, (int Compared, int Differing)>(StringComparer.Ordinal);
        foreach (string line in expected)
        {
            (int compared, int differing) = counts.GetValueOrDefault(ModuleOf(line));
            counts[ModuleOf(line)] = (compared + 1, differing);
        }

        foreach (LineDiff.Edit e in diff.Script)
        {
            string? line = e.Kind switch
            {
                LineDiff.Kind.Removed => expected[e.ExpectedIndex],
                LineDiff.Kind.Added => actual[e.ActualIndex],
                _ => null,
            };
            if (line is not null)
            {
                (int compared, int differing) = counts.GetValueOrDefault(ModuleOf(line));
                counts[ModuleOf(line)] = (compared, differing + 1);
            }
        }

        lock (s_lock)
        {
            s_moduleRows[c.Id] = counts;
            Write();
        }
    }

    public static string Record(string kind, ConformanceCase c, int compared, int differing, string result)
    {
        var row = new Row(kind, c.Group, c.Name, compared, differing, result);
        lock (s_lock)
        {
            s_rows[(kind, c.Id)] = row;
            Write();
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{kind} {c.Id}: {compared} lines compared, {differing} differing — {result}");
    }

    private static void Write()
    {
        var sb = new StringBuilder();
        sb.Append("P0fSharp differential conformance summary (tests/P0fSharp.Conformance.Tests)\n");
        sb.Append("reference : ").Append(Tools.RealP0f?.ToString() ?? "(p0f not installed)").Append('\n');
        sb.Append("candidate : ").Append(Tools.Ours).Append(Tools.OursIsSubstituted ? "   (P0FSHARP_CMD)" : "").Append('\n');
        sb.Append("modules   : ").Append(ConformanceSettings.Modules).Append('\n');
        sb.Append("written   : ").Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)).Append('\n');
        foreach (string kind in new[] { LogKind, TerminalKind })
        {
            List<Row> rows = s_rows.Values.Where(r => r.Kind == kind)
                .OrderBy(r => GroupOrder(r.Group)).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            sb.Append('\n').Append(kind == LogKind
                ? "-o log lines (whole lines, compared modules only)\n"
                : "terminal output lines (stdout blocks of compared modules + other stdout/stderr lines)\n");
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{"group",-10} {"capture",-34} {"compared",9} {"differing",9}  result\n"));
            foreach (Row r in rows)
            {
                sb.Append(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Group,-10} {r.Name,-34} {r.Compared,9} {r.Differing,9}  {r.Result}\n"));
            }

            foreach (IGrouping<string, Row> g in rows.GroupBy(r => r.Group).OrderBy(g => GroupOrder(g.Key)))
            {
                sb.Append(Totals("total " + g.Key, g.ToList()));
            }

            sb.Append(Totals(kind == LogKind ? "TOTAL log lines" : "TOTAL terminal lines", rows));
            if (kind == LogKind)
            {
                sb.Append(ModuleTable());
            }
        }

        string path = ConformanceSettings.SummaryPath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, sb.ToString());
    }

    private static string ModuleOf(string line) => ModuleSet.ModuleOfLogLine(line) ?? "(no module)";

    /// <summary>Lines per module over all captures (the "MODULE" lines are what .ci/run prints).</summary>
    private static string ModuleTable()
    {
        var sb = new StringBuilder();
        sb.Append("\n-o log lines per module, all captures\n");
        sb.Append(string.Create(CultureInfo.InvariantCulture, $"{"",-7}{"module",-38} {"compared",9} {"differing",9}  captures\n"));
        IEnumerable<string> extra = s_moduleRows.Values.SelectMany(m => m.Keys)
            .Where(m => !Modules.Contains(m)).Distinct().Order(StringComparer.Ordinal);
        foreach (string module in Modules.Concat(extra))
        {
            int compared = 0;
            int differing = 0;
            int captures = 0;
            foreach (IReadOnlyDictionary<string, (int Compared, int Differing)> row in s_moduleRows.Values)
            {
                if (row.TryGetValue(module, out var v))
                {
                    compared += v.Compared;
                    differing += v.Differing;
                    captures += v.Compared > 0 ? 1 : 0;
                }
            }

            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"MODULE {module,-38} {compared,9} {differing,9}  {captures} of {s_moduleRows.Count} captures\n"));
        }

        return sb.ToString();
    }

    private static string Totals(string label, List<Row> rows) => string.Create(CultureInfo.InvariantCulture,
        $"{label,-45} {rows.Sum(r => r.Compared),9} {rows.Sum(r => r.Differing),9}  "
        + $"{rows.Count} captures, {rows.Count(r => r.Result == "ok")} identical\n");

    private static int GroupOrder(string group) => group switch
    {
        CaseCatalog.Vectors => 0,
        CaseCatalog.Generated => 1,
        CaseCatalog.Crafted => 2,
        CaseCatalog.Real => 3,
        _ => 4,
    };
}
