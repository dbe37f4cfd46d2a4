namespace P0fSharp.Daemon.Tests.Support;

/// <summary>Starts p0fsharp and the real p0f as children in a namespace of a <see cref="NetLab"/>.</summary>
internal static class Daemons
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>dotnet p0fsharp.dll --config CONFIG -f DB ARGS</c> in <paramref name="ns"/>.
    /// <paramref name="config"/> defaults to an empty file so a machine-wide configuration
    /// never leaks in; <paramref name="database"/> defaults to data/p0f.fp (null = none given).
    /// </summary>
    public static ChildProcess StartOurs(NetLab lab, string ns, TempDir dir, IEnumerable<string> args,
        string? config = null, string? database = "", IReadOnlyDictionary<string, string>? environment = null, string? stdoutFile = null)
    {
        List<string> argv = [Paths.OursDll, "--config", config ?? dir.EmptyConfig()];
        if (database is not null)
        {
            argv.Add("-f");
            argv.Add(database.Length == 0 ? Paths.Database : database);
        }

        argv.AddRange(args);
        return lab.Start(ns, Paths.DotnetHost, argv, environment, stdoutFile);
    }

    /// <summary><c>p0f -f DB ARGS</c> in <paramref name="ns"/>.</summary>
    public static ChildProcess StartP0f(NetLab lab, string ns, IEnumerable<string> args, string? stdoutFile = null)
    {
        string p0f = Require.RealP0f();
        return lab.Start(ns, p0f, ["-f", Paths.Database, .. args], stdoutFile: stdoutFile);
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
