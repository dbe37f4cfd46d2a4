using System.Runtime.InteropServices;

namespace P0fSharp.Capture.Tests.Support;

/// <summary>Locates the repository root and the shared p0f reference material.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The folder holding P0fSharp.sln, or null.</summary>
    public static string? RepoRoot => Root.Value;

    /// <summary>../shared relative to the repository root (spec, vectors), or null when absent.</summary>
    public static string? SharedDir
    {
        get
        {
            if (RepoRoot is null)
            {
                return null;
            }

            string dir = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            return Directory.Exists(Path.Combine(dir, "p0f", "vectors")) ? dir : null;
        }
    }

    public static string VectorsDir => Path.Combine(SharedDir ?? throw new InvalidOperationException(SharedMissing), "p0f", "vectors");

    public static string PcapsDir => Path.Combine(VectorsDir, "pcaps");

    public static string SharedMissing =>
        "shared reference material not found: expected <repo>/../shared/p0f/vectors next to the folder holding P0fSharp.sln ("
        + (RepoRoot ?? "repo root not found from " + AppContext.BaseDirectory) + ")";

    public static bool IsRoot => !OperatingSystem.IsWindows() && geteuid() == 0;

    /// <summary>Every vector pcap name (without extension); empty when shared is absent.</summary>
    public static IReadOnlyList<string> VectorNameList() => SharedDir is null
        ? []
        : [.. Directory.GetFiles(PcapsDir, "*.pcap").Order(StringComparer.Ordinal).Select(f => Path.GetFileNameWithoutExtension(f))];

    /// <summary>Vector names for theories; one placeholder row when shared is absent (the theory is skipped then).</summary>
    public static TheoryData<string> VectorNames()
    {
        var data = new TheoryData<string>();
        IReadOnlyList<string> names = VectorNameList();
        if (names.Count == 0)
        {
            data.Add("(shared missing)");
        }

        foreach (string name in names)
        {
            data.Add(name);
        }

        return data;
    }

    private static string? FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "P0fSharp.sln")))
            {
                return dir.FullName;
            }

            dir = dir.Parent;
        }

        return null;
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint geteuid();
}

/// <summary>A fact that is skipped (with the reason) when ../shared is absent.</summary>
internal sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (TestPaths.SharedDir is null)
        {
            Skip = TestPaths.SharedMissing;
        }
    }
}

/// <summary>A theory that is skipped (with the reason) when ../shared is absent.</summary>
internal sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (TestPaths.SharedDir is null)
        {
            Skip = TestPaths.SharedMissing;
        }
    }
}

/// <summary>A fact that needs root (live capture on lo); skipped otherwise.</summary>
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!TestPaths.IsRoot)
        {
            Skip = "needs root (live capture on lo)";
        }
    }
}
