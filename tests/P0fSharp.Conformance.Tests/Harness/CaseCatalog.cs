using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>One capture run through both tools with the same command line.</summary>
internal sealed record ConformanceCase(
    string Group,
    string Name,
    string Description,
    string Capture,
    string Database,
    IReadOnlyList<string> Args,
    string? Filter,
    bool? ExpectLines,
    int ExpectExit,
    string? ReferenceLog,
    IReadOnlyList<string>? Generator = null)
{
    public string Id => Group + "/" + Name;

    /// <summary><c>-r FILE -o LOG -f DB [args] ['filter']</c>, identical for both tools.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var list = new List<string> { "-r", Capture, "-o", Tools.LogName, "-f", Database };
        list.AddRange(Args);
        if (Filter is not null)
        {
            list.Add(Filter);
        }

        return list;
    }
}

/// <summary>The capture groups of the differential suite.</summary>
internal static class CaseCatalog
{
    public const string Vectors = "vectors";
    public const string Crafted = "crafted";
    public const string Generated = "generated";
    public const string Real = "real";

    /// <summary>Every group, in summary order.</summary>
    public static readonly string[] Groups = [Vectors, Generated, Crafted, Real];

    /// <summary>Placeholder case name used when a group's inputs are absent (laptop without ../shared).</summary>
    public const string Unavailable = "(unavailable)";

    private static readonly Lazy<IReadOnlyList<ConformanceCase>> s_vectors = new(LoadVectors);
    private static readonly Lazy<IReadOnlyList<ConformanceCase>> s_crafted = new(LoadCrafted);
    private static readonly Lazy<IReadOnlyList<ConformanceCase>> s_generated = new(DescribeGenerated);
    private static readonly Lazy<IReadOnlyList<ConformanceCase>> s_real = new(LoadReal);
    private static readonly Lazy<string> s_generatedDir = new(() => TempRoot.Sub("generated"));

    private static readonly object s_generateLock = new();

    public static IReadOnlyList<ConformanceCase> Group(string group) => group switch
    {
        Vectors => s_vectors.Value,
        Crafted => s_crafted.Value,
        Generated => s_generated.Value,
        Real => s_real.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, null),
    };

    public static ConformanceCase Get(string group, string name) =>
        Group(group).FirstOrDefault(c => c.Name == name)
        ?? throw new InvalidOperationException($"no case {group}/{name}");

    /// <summary>Theory rows: the case names, or the placeholder when the group's inputs are absent.</summary>
    public static TheoryData<string> Names(string group)
    {
        var data = new TheoryData<string>();
        IReadOnlyList<ConformanceCase> cases = Group(group);
        if (cases.Count == 0)
        {
            data.Add(Unavailable);
        }

        foreach (ConformanceCase c in cases)
        {
            data.Add(c.Name);
        }

        return data;
    }

    /// <summary>Why a group has no cases (used by the placeholder row).</summary>
    public static string WhyUnavailable(string group) => group switch
    {
        Vectors => $"the shared p0f vectors are not present at {ConformanceSettings.VectorsDir}",
        Generated => $"gen_pcap.py was not found (looked at {string.Join(", ", GeneratorCandidates())})",
        Real => $"no captures in {RealDir}",
        _ => $"{ConformanceSettings.CraftedDir}/cases.json is missing",
    };

    // ---- (a) the 41 vectors of ../shared/p0f/vectors ------------------------------------

    private static IReadOnlyList<ConformanceCase> LoadVectors()
    {
        string dir = ConformanceSettings.VectorsDir;
        string json = Path.Combine(dir, "cases.json");
        if (!File.Exists(json))
        {
            return [];
        }

        var cases = new List<ConformanceCase>();
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        foreach (JsonElement item in doc.RootElement.EnumerateArray())
        {
            string name = item.GetProperty("name").GetString()!;
            string? fp = OptionalString(item, "fp");
            string reference = Path.Combine(dir, "out", name + ".log");
            cases.Add(new ConformanceCase(
                Vectors,
                name,
                OptionalString(item, "desc") ?? "",
                Path.Combine(dir, "pcaps", name + ".pcap"),
                fp is null ? ConformanceSettings.RepoDatabase : Path.Combine(dir, "fp", fp),
                StringArray(item, "args"),
                OptionalString(item, "filter"),
                ExpectLines: null, // decided from the recorded p0f output (out/<case>.log)
                ExpectExit: 0,
                File.Exists(reference) ? reference : null));
        }

        return cases;
    }

    // ---- (c) tests/data: captures crafted by tests/data/craft_cases.py -------------------

    private static IReadOnlyList<ConformanceCase> LoadCrafted()
    {
        string dir = ConformanceSettings.CraftedDir;
        string json = Path.Combine(dir, "cases.json");
        if (!File.Exists(json))
        {
            return [];
        }

        var cases = new List<ConformanceCase>();
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        foreach (JsonElement item in doc.RootElement.EnumerateArray())
        {
            string? fp = OptionalString(item, "fp");
            cases.Add(new ConformanceCase(
                Crafted,
                item.GetProperty("name").GetString()!,
                OptionalString(item, "desc") ?? "",
                Path.Combine(dir, item.GetProperty("file").GetString()!),
                fp is null ? ConformanceSettings.RepoDatabase : Path.Combine(dir, fp),
                StringArray(item, "args"),
                OptionalString(item, "filter"),
                item.GetProperty("expect_lines").GetBoolean(),
                item.GetProperty("expect_exit").GetInt32(),
                ReferenceLog: null));
        }

        return cases;
    }

    // ---- (b) gen_pcap.py captures, generated at test time --------------------------------

    public static IEnumerable<string> GeneratorCandidates()
    {
        yield return Path.Combine(ConformanceSettings.SharedRoot, "bench", "gen_pcap.py");
        yield return Path.Combine(ConformanceSettings.RepoRoot, "bench", "gen_pcap.py");
    }

    public static string? Generator() => GeneratorCandidates().FirstOrDefault(File.Exists);

    private static IReadOnlyList<ConformanceCase> DescribeGenerated()
    {
        if (Generator() is not { } genPcap)
        {
            return [];
        }

        var cases = ConformanceSettings.GeneratedCaptures
            .Select(g => new ConformanceCase(
                Generated,
                $"gen_seed{g.Seed}_{g.Connections}conn_{g.Hosts}hosts" + (g.Args.Length > 0 ? "_" + Slug(g.Args) : ""),
                $"gen_pcap.py OUT {g.Connections} {g.Hosts} {g.Seed}" + (g.Args.Length > 0 ? $", run with {g.Args}" : ""),
                Path.Combine(s_generatedDir.Value, $"gen_seed{g.Seed}_{g.Connections}_{g.Hosts}.pcap"),
                ConformanceSettings.RepoDatabase,
                Words(g.Args),
                null,
                ExpectLines: true,
                ExpectExit: 0,
                ReferenceLog: null,
                Generator: [genPcap, "{out}", $"{g.Connections}", $"{g.Hosts}", $"{g.Seed}"]))
            .ToList();

        // Bad-input captures too large to commit (tests/data/gen_stress.py, deterministic).
        string stress = Path.Combine(ConformanceSettings.CraftedDir, "gen_stress.py");
        foreach ((string kind, string args, string what) in ConformanceSettings.StressCaptures)
        {
            cases.Add(new ConformanceCase(
                Generated,
                "stress_" + kind.Replace('-', '_') + (args.Length > 0 ? "_" + Slug(args) : ""),
                $"gen_stress.py {kind}: {what}" + (args.Length > 0 ? $", run with {args}" : ""),
                Path.Combine(s_generatedDir.Value, $"stress_{kind}.pcap"),
                ConformanceSettings.RepoDatabase,
                Words(args),
                null,
                ExpectLines: true,
                ExpectExit: 0,
                ReferenceLog: null,
                Generator: [stress, kind, "{out}"]));
        }

        return cases;
    }

    private static string[] Words(string args) => args.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string Slug(string args) =>
        string.Concat(args.Where(ch => char.IsAsciiLetterOrDigit(ch) || ch == ' ' || ch == ',')).Replace(' ', '_').Replace(',', '_');

    /// <summary>Creates the capture of a generated case (once per test run; cases may share a capture).</summary>
    public static void EnsureGenerated(ConformanceCase c)
    {
        lock (s_generateLock)
        {
            if (File.Exists(c.Capture) || c.Generator is null)
            {
                return;
            }

            string tmp = c.Capture + ".part";
            string[] args = c.Generator.Select(a => a == "{out}" ? tmp : a).ToArray();
            var psi = new ProcessStartInfo(Python(), args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using Process process = Process.Start(psi)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(300_000), $"{Path.GetFileName(args[0])} did not finish within 5 minutes");
            Assert.True(process.ExitCode == 0,
                $"{Path.GetFileName(args[0])} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
            File.Move(tmp, c.Capture);
        }
    }

    // ---- (d) tests/data/real: traffic of real tools captured by tests/data/real/make_real_http.sh

    public static string RealDir => Path.Combine(ConformanceSettings.CraftedDir, "real");

    private static IReadOnlyList<ConformanceCase> LoadReal()
    {
        if (!Directory.Exists(RealDir))
        {
            return [];
        }

        var cases = new List<ConformanceCase>();
        foreach (string pcap in Directory.EnumerateFiles(RealDir, "*.pcap").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(pcap);
            cases.Add(new ConformanceCase(Real, name, "real traffic (make_real_http.sh)", pcap,
                ConformanceSettings.RepoDatabase, [], null, ExpectLines: true, ExpectExit: 0, ReferenceLog: null));

            // The same traffic with tiny caches: flows and hosts are evicted all the time.
            cases.Add(new ConformanceCase(Real, name + "_m3_4_t2_1", "real traffic with -m 3,4 -t 2,1", pcap,
                ConformanceSettings.RepoDatabase, ["-m", "3,4", "-t", "2,1"], null, ExpectLines: true, ExpectExit: 0,
                ReferenceLog: null));
        }

        return cases;
    }

    /// <summary>The distribution's python3 (which has scapy when python3-scapy is installed), else python3 on PATH.</summary>
    public static string Python() => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static string? OptionalString(JsonElement item, string name) =>
        item.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string[] StringArray(JsonElement item, string name) =>
        item.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(e => e.GetString()!).ToArray()
            : [];
}
