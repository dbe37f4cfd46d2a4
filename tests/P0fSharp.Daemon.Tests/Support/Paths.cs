namespace P0fSharp.Daemon.Tests.Support;

/// <summary>Where the programs and data the tests use live.</summary>
internal static class Paths
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    /// <summary>The checkout (the folder holding P0fSharp.sln).</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>The read-only shared folder beside the checkout (p0f spec, vectors, bench tools).</summary>
    public static string SharedRoot => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>p0fsharp.dll as built next to the tests (the project references src/Host).</summary>
    public static string OursDll => Path.Combine(AppContext.BaseDirectory, "p0fsharp.dll");

    /// <summary>The signature database both tools are given with -f.</summary>
    public static string Database => Path.Combine(RepoRoot, "data", "p0f.fp");

    public static string SampleCapture => Path.Combine(RepoRoot, "data", "sample-smtp.pcap");

    /// <summary>The dotnet host running this test (so the child uses the same runtime).</summary>
    public static string DotnetHost => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet"
        ? p
        : "dotnet";

    /// <summary>A program on PATH or in the sbin folders, or null.</summary>
    public static string? Locate(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                     .Split(':', StringSplitOptions.RemoveEmptyEntries)
                     .Append("/usr/sbin").Append("/usr/local/sbin").Append("/sbin").Append("/usr/bin").Append("/bin"))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "P0fSharp.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("P0fSharp.sln not found above " + AppContext.BaseDirectory);
    }
}
