namespace P0fSharp.Daemon.Tests.Support;

/// <summary>Starts p0fsharp and the real p0f as children in a namespace of a <see cref="NetLab"/>.</summary>
internal static class Daemons
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>dotnet p0fsharp.dll --config CONFIG -f DB ARGS</c> in <paramref name="ns"/>.
    /// <paramref name="config"/> defaults to an empty file so a machine-wide configuration
    /// never leaks in; <paramref name="database"/> defaults to data/p0f.fp (null = none given).
    /// </summary>
    public static ChildProcess StartOurs(NetLab lab, string ns, TempDir dir, IEnumerable<string> args,
        string? config = null, string? database = "", IReadOnlyDictionary<string, string>? environment = null,
        string? stdoutFile = null, string? stderrFile = null)
    {
        List<string> argv = [Paths.OursDll, "--config", config ?? dir.EmptyConfig()];
        if (database is not null)
        {
            argv.Add("-f");
            argv.Add(database.Length == 0 ? Paths.Database : database);
        }

        argv.AddRange(args);
        return lab.Start(ns, Paths.DotnetHost, argv, environment, stdoutFile, stderrFile);
    }

    /// <summary><c>dotnet p0fsharp.dll --config CONFIG -f data/p0f.fp ARGS</c> in the test's own namespace (offline runs).</summary>
    public static ChildProcess StartOursHere(TempDir dir, IEnumerable<string> args, string? config = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(Paths.OursDll))
        {
            throw new InvalidOperationException($"p0fsharp.dll is missing next to the tests ({Paths.OursDll}); build the solution first.");
        }

        return ChildProcess.Start(Paths.DotnetHost, [Paths.OursDll, "--config", config ?? dir.EmptyConfig(), "-f", Paths.Database, .. args], environment);
    }

    /// <summary><c>p0f -f DB ARGS</c> in <paramref name="ns"/>.</summary>
    public static ChildProcess StartP0f(NetLab lab, string ns, IEnumerable<string> args, string? stdoutFile = null, string? stderrFile = null)
    {
        string p0f = Require.RealP0f();
        return lab.Start(ns, p0f, ["-f", Paths.Database, .. args], stdoutFile: stdoutFile, stderrFile: stderrFile);
    }

    /// <summary>
    /// "p0f" or "p0fsharp" capturing on the lab's server interface with an API socket, started
    /// and listening. Tests that hold for both run once per tool: what p0f does is the spec.
    /// </summary>
    public static ChildProcess StartServing(string tool, NetLab lab, TempDir dir, string socket, IEnumerable<string> extra, bool quietStderr = false)
    {
        List<string> args = ["-i", lab.ServerIf, "-s", socket, .. extra];
        string? stderr = quietStderr ? "/dev/null" : null;
        ChildProcess d = tool switch
        {
            "p0f" => StartP0f(lab, lab.ServerNs, args, stderrFile: stderr),
            "p0fsharp" => StartOurs(lab, lab.ServerNs, dir, args, stderrFile: stderr),
            _ => throw new ArgumentException("unknown tool " + tool, nameof(tool)),
        };
        P0fApi.WaitUntilListening(socket, d, StartTimeout);
        return d;
    }

    /// <summary>p0fsharp capturing on the server side of the lab with an API socket; returns once the socket answers.</summary>
    public static ChildProcess StartOursServing(NetLab lab, TempDir dir, string socket, IEnumerable<string> extra, string? filter = null)
    {
        List<string> args = ["-i", lab.ServerIf, "-s", socket, .. extra];
        if (filter != null)
        {
            args.Add(filter);
        }

        ChildProcess d = StartOurs(lab, lab.ServerNs, dir, args);
        P0fApi.WaitUntilListening(socket, d, StartTimeout);
        d.WaitForStdout(l => l == "[+] Entered main event loop.", StartTimeout, "the main event loop");
        return d;
    }
}
