using P0fSharp.Signatures;

namespace P0fSharp.Benchmarks;

/// <summary>Finds and loads the stock signature database (data/p0f.fp) once per process.</summary>
public static class Database
{
    private static SignatureDatabase? s_loaded;

    /// <summary>
    /// <c>P0FSHARP_FP</c> when set; else p0f.fp next to the assembly; else the first
    /// <c>data/p0f.fp</c> found walking up from the assembly (BenchmarkDotNet runs the benchmarks
    /// from a generated project below this one's output folder).
    /// </summary>
    public static string Path
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable("P0FSHARP_FP");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return fromEnvironment;
            }

            string beside = System.IO.Path.Combine(AppContext.BaseDirectory, "p0f.fp");
            if (File.Exists(beside))
            {
                return beside;
            }

            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                string candidate = System.IO.Path.Combine(dir.FullName, "data", "p0f.fp");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException("data/p0f.fp not found; set P0FSHARP_FP.");
        }
    }

    public static SignatureDatabase Stock => s_loaded ??= SignatureDatabase.Load(Path);
}
