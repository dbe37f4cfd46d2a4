using System.Diagnostics;

namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>
/// Builds p0f_date_shim.c (next to this file) into a shared object that the harness preloads
/// into the reference p0f: p0f's Date conversion reads an uninitialised tm_isdst (see the C
/// file), which otherwise makes the <c>date</c> reason of <c>host change</c> / <c>ip sharing</c>
/// depend on stack leftovers. README, "Deliberate differences", explains the choice.
/// </summary>
internal static class DateShim
{
    private static readonly Lazy<(string? Path, string Problem)> s_shim = new(Build);

    /// <summary>The built shim, or null (with <see cref="Problem"/>) when no C compiler is available.</summary>
    public static string? Path => s_shim.Value.Path;

    public static string Problem => s_shim.Value.Problem;

    private static (string?, string) Build()
    {
        string source = System.IO.Path.Combine(ConformanceSettings.RepoRoot, "tests", "P0fSharp.Conformance.Tests", "Harness",
            "p0f_date_shim.c");
        if (!File.Exists(source))
        {
            return (null, source + " is missing");
        }

        string output = System.IO.Path.Combine(TempRoot.Sub("shim"), "p0f_date_shim.so");
        foreach (string compiler in new[] { "cc", "gcc", "clang" })
        {
            try
            {
                var psi = new ProcessStartInfo(compiler, ["-shared", "-fPIC", "-O2", "-o", output, source, "-ldl"])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                using Process p = Process.Start(psi)!;
                string err = p.StandardError.ReadToEnd();
                p.StandardOutput.ReadToEnd();
                if (!p.WaitForExit(60_000))
                {
                    p.Kill(entireProcessTree: true);
                    continue;
                }

                if (p.ExitCode == 0 && File.Exists(output))
                {
                    return (output, "");
                }

                return (null, $"{compiler} failed: {err.Trim()}");
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed: try the next one
            }
        }

        return (null, "no C compiler (cc, gcc, clang) found; ./test.sh installs gcc");
    }
}
