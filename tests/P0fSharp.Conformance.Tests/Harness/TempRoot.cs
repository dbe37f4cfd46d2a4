namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>
/// One scratch folder per test process (generated captures, per-run working folders).
/// Removed when the process exits unless P0F_CONFORMANCE_KEEP=1 (handy when a diff needs a closer look).
/// </summary>
internal static class TempRoot
{
    private static readonly Lazy<string> s_path = new(Create);

    public static string Path => s_path.Value;

    public static string Sub(params string[] parts)
    {
        string dir = System.IO.Path.Combine([Path, .. parts]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string Create()
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"p0fsharp-conformance-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        if (Environment.GetEnvironmentVariable("P0F_CONFORMANCE_KEEP") != "1")
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                    // best effort
                }
                catch (UnauthorizedAccessException)
                {
                    // best effort
                }
            };
        }

        return dir;
    }
}
