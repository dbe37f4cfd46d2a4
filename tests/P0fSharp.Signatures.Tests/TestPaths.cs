using Xunit;

namespace P0fSharp.Signatures.Tests;

/// <summary>Locates the repository (folder with P0fSharp.sln) and the shared p0f vectors next to it.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string?> RepoRootLazy = new(FindRepoRoot);

    public static string RepoRoot => RepoRootLazy.Value ?? throw new InvalidOperationException("P0fSharp.sln not found above " + AppContext.BaseDirectory);

    public static string DataDatabase => Path.Combine(RepoRoot, "data", "p0f.fp");

    /// <summary>../shared/p0f/vectors relative to the repository, or null when not present.</summary>
    public static string? Vectors
    {
        get
        {
            if (RepoRootLazy.Value is null)
            {
                return null;
            }

            string dir = Path.GetFullPath(Path.Combine(RepoRootLazy.Value, "..", "shared", "p0f", "vectors"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    public static string VectorsOrThrow => Vectors ?? throw new InvalidOperationException("shared vectors not found");

    /// <summary>The real p0f's stock database, when installed.</summary>
    public const string StockDatabase = "/etc/p0f/p0f.fp";

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "P0fSharp.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

/// <summary>A fact that is skipped (with a reason) when ../shared/p0f/vectors is missing.</summary>
public sealed class VectorFactAttribute : FactAttribute
{
    public VectorFactAttribute()
    {
        if (TestPaths.Vectors is null)
        {
            Skip = "../shared/p0f/vectors (next to the repository) is not available; p0f oracle vectors cannot be checked.";
        }
    }
}

/// <summary>A theory that is skipped (with a reason) when ../shared/p0f/vectors is missing.</summary>
public sealed class VectorTheoryAttribute : TheoryAttribute
{
    public VectorTheoryAttribute()
    {
        if (TestPaths.Vectors is null)
        {
            Skip = "../shared/p0f/vectors (next to the repository) is not available; p0f oracle vectors cannot be checked.";
        }
    }
}

/// <summary>A fact that needs the real p0f's stock database (/etc/p0f/p0f.fp).</summary>
public sealed class StockDatabaseFactAttribute : FactAttribute
{
    public StockDatabaseFactAttribute()
    {
        if (!File.Exists(TestPaths.StockDatabase))
        {
            Skip = TestPaths.StockDatabase + " (p0f 3.09b's own database) is not installed.";
        }
    }
}
