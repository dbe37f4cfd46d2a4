namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>
/// Every knob of the differential harness, in one place. All of them can be overridden
/// from the environment so CI, the lead and a developer laptop use the same code.
/// </summary>
internal static class ConformanceSettings
{
    /// <summary>
    /// The <c>mod=</c> values compared by default. Widen this (or set
    /// <c>P0F_CONFORMANCE_MODULES</c>) to compare more of the <c>-o</c> log, e.g.
    /// <c>syn,syn+ack,mtu,uptime,host change,ip sharing,http request,http response</c>,
    /// or <c>all</c> for every line.
    /// </summary>
    public const string DefaultModules = "all";

    /// <summary>
    /// Seeds, connection count, host count and extra p0f options of the gen_pcap.py captures;
    /// the last two run with small <c>-m</c> caps so flows and hosts are evicted constantly.
    /// </summary>
    public static readonly (int Seed, int Connections, int Hosts, string Args)[] DefaultGeneratedCaptures =
    [
        (1, 2000, 50000, ""),
        (2, 2000, 300, ""),
        (3, 2000, 40, ""),
        (4, 3000, 20000, "-m 20,150"),
        (5, 3000, 400, "-m 5,60"),
    ];

    /// <summary>tests/data/gen_stress.py kinds (too large to commit) and the p0f options they run with.</summary>
    public static readonly (string Kind, string Args, string What)[] StressCaptures =
    [
        ("million-headers", "", "one request of 1,000,000 header lines, then normal traffic"),
        ("flood", "", "100,000 distinct sources, one SYN each, far past the default host cap"),
        ("flood", "-m 100,500", "the same flood with 100 flows / 500 hosts"),
        ("conn-flood", "-m 50,1000", "30,000 open connections from 3,000 hosts, SYN+ACKs and requests late"),
    ];

    public static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(180);

    public static ModuleSet Modules { get; } = ModuleSet.Parse(
        Environment.GetEnvironmentVariable("P0F_CONFORMANCE_MODULES") is { Length: > 0 } value ? value : DefaultModules);

    /// <summary>True under CI (the environment sets CI=true): optional inputs become mandatory.</summary>
    public static bool UnderCi { get; } =
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        || Environment.GetEnvironmentVariable("CI") == "1";

    public static string RepoRoot { get; } = RepoPaths.RepoRoot();

    /// <summary>The shared reference folder (../shared beside the checkout, or P0F_SHARED_DIR).</summary>
    public static string SharedRoot { get; } =
        Environment.GetEnvironmentVariable("P0F_SHARED_DIR") is { Length: > 0 } shared
            ? Path.GetFullPath(shared)
            : RepoPaths.SharedRoot();

    public static string VectorsDir => Path.Combine(SharedRoot, "p0f", "vectors");

    public static string CraftedDir => Path.Combine(RepoRoot, "tests", "data");

    public static string RepoDatabase => Path.Combine(RepoRoot, "data", "p0f.fp");

    public static string SummaryPath => Path.Combine(RepoRoot, "artifacts", "conformance-summary.txt");

    /// <summary>Generated captures: P0F_GEN_CAPTURES="seed:connections:hosts[:p0f options];…" overrides the default.</summary>
    public static IReadOnlyList<(int Seed, int Connections, int Hosts, string Args)> GeneratedCaptures { get; } = ParseGenerated();

    private static (int Seed, int Connections, int Hosts, string Args)[] ParseGenerated()
    {
        string? text = Environment.GetEnvironmentVariable("P0F_GEN_CAPTURES");
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultGeneratedCaptures;
        }

        var list = new List<(int, int, int, string)>();
        foreach (string item in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = item.Split(':', 4);
            if (parts.Length < 3 || !int.TryParse(parts[0], out int seed) || !int.TryParse(parts[1], out int conns)
                || !int.TryParse(parts[2], out int hosts))
            {
                throw new InvalidOperationException($"P0F_GEN_CAPTURES entry '{item}' is not seed:connections:hosts[:options]");
            }

            list.Add((seed, conns, hosts, parts.Length == 4 ? parts[3] : ""));
        }

        return [.. list];
    }
}
