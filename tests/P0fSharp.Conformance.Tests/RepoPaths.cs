namespace P0fSharp.Conformance.Tests;

/// <summary>Finds the checkout (the folder with P0fSharp.sln) and the shared folder beside it.</summary>
internal static class RepoPaths
{
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "P0fSharp.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("P0fSharp.sln not found above " + AppContext.BaseDirectory);
    }

    public static string SharedRoot() => Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared"));
}
