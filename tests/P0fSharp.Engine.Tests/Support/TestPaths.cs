using P0fSharp.Signatures;

namespace P0fSharp.Engine.Tests.Support;

/// <summary>Locates the checkout (the folder holding P0fSharp.sln) and test data.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);
    private static readonly Lazy<SignatureDatabase> Stock = new(() => SignatureDatabase.Load(StockDatabasePath));

    /// <summary>Path of data/p0f.fp.</summary>
    public static string StockDatabasePath => Path.Combine(Root.Value, "data", "p0f.fp");

    /// <summary>data/p0f.fp (p0f 3.09b's stock database), loaded once.</summary>
    public static SignatureDatabase StockDatabase => Stock.Value;

    /// <summary>A file under the test project's Data folder (copied next to the assembly).</summary>
    public static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "P0fSharp.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("P0fSharp.sln not found above " + AppContext.BaseDirectory);
    }
}
