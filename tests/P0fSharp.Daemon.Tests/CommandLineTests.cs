using P0fSharp.Daemon.Tests.Support;
using Xunit;

namespace P0fSharp.Daemon.Tests;

/// <summary>
/// Issue 4, p0f 3.09b's command line: for each invocation of ../shared/p0f/vectors/cli_checks.sh
/// that P0fSharp means to treat alike, both programs run with the same arguments and must end
/// with the same status and the same error headline (or the same closing line).
/// Left out on purpose (README, deliberate differences): <c>-r</c> with <c>-s</c>, which
/// P0fSharp serves instead of refusing, and <c>-u nobody</c>, which fails in p0f's chroot.
/// </summary>
public sealed class CommandLineTests
{
    private const string Vector = "{pcap}";

    public static TheoryData<string[]> SameAsP0f => new()
    {
        new[] { "-r", Vector, "-d", "-o", "{dir}/x.log" },
        new[] { "-d", "-i", "lo" },
        new[] { "-r", Vector, "-S", "5" },
        new[] { "-s", "{dir}/api.sock", "-S", "0", "-i", "lo" },
        new[] { "-s", "{dir}/api.sock", "-S", "101", "-i", "lo" },
        new[] { "-r", Vector, "-m", "0,10" },
        new[] { "-r", Vector, "-m", "100001,10" },
        new[] { "-r", Vector, "-m", "10,500001" },
        new[] { "-r", Vector, "-m", "10" },
        new[] { "-r", Vector, "-t", "0,10" },
        new[] { "-r", Vector, "-t", "1000001,1" },
        new[] { "-r", Vector, "-m", "10,10", "-m", "10,10" },
        new[] { "-r", Vector, "-t", "5,5", "-t", "5,5" },
        new[] { "-r", Vector, "-f", "a", "-f", "b" },
        new[] { "-r", Vector, "-o", "a", "-o", "b" },
        new[] { "-r", Vector, "-r", Vector },
        new[] { "-r", Vector, "-i", "lo" },
        new[] { "-r", Vector, "-p" },
        new[] { "-r", Vector, "-p", "-p" },
        new[] { "-r", Vector, "-d", "-d" },
        new[] { "-r", Vector, "-u", "p0fsnosuchuser" },
        new[] { "-r", Vector, "-u", "root" },
        new[] { "-r", Vector, "port 80", "extra" },
        new[] { "-r", Vector, "this is not a filter" },
        new[] { "-r", Vector, "port 81" },
        new[] { "-r", Vector, "port 80" },
        new[] { "-r", Vector, "-x" },
        new[] { "-r", "/nonexistent-p0fs.pcap" },
        new[] { "-r", Vector, "-o", "{dir}" },
        new[] { "-i", "lo", "-i", "lo" },
        new[] { "-s", "a", "-s", "b" },
        new[] { "-u", "a", "-u", "b" },
        new[] { "-S", "5", "-S", "6", "-s", "{dir}/api.sock" },
        new[] { "-r", Vector, "-f" },
    };

    [Theory]
    [MemberData(nameof(SameAsP0f))]
    public void EndsLikeP0f(string[] template)
    {
        string p0f = Require.RealP0f();
        string vectors = Path.Combine(Paths.SharedRoot, "p0f", "vectors", "pcaps");
        Assert.True(Directory.Exists(vectors), $"The shared vectors are missing ({vectors}); ../shared must sit beside the checkout.");
        using var dir = new TempDir();
        string[] args = template
            .Select(a => a.Replace(Vector, Path.Combine(vectors, "t01_linux_syn.pcap"), StringComparison.Ordinal)
                .Replace("{dir}", dir.Path, StringComparison.Ordinal))
            .ToArray();

        using ChildProcess reference = ChildProcess.Start(p0f, ["-f", Paths.Database, .. args]);
        using ChildProcess ours = Daemons.StartOursHere(dir, args);
        Assert.True(reference.WaitForExit(TimeSpan.FromSeconds(60)), reference.Transcript());
        Assert.True(ours.WaitForExit(TimeSpan.FromSeconds(60)), ours.Transcript());
        Assert.True(reference.ExitCode == ours.ExitCode, $"exit {ours.ExitCode}, p0f {reference.ExitCode}\n{ours.Transcript()}\n{reference.Transcript()}");
        Assert.Equal(Outcome(reference), Outcome(ours));
    }

    [Fact]
    public void HelpVersionAndUnknownLongOptions()
    {
        using var dir = new TempDir();
        using (ChildProcess help = Daemons.StartOursHere(dir, ["--help"]))
        {
            Assert.True(help.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, help.ExitCode);
            Assert.StartsWith("Usage: p0fsharp [ ...options... ] [ 'filter rule' ]", help.Stdout, StringComparison.Ordinal);
            foreach (string option in new[] { "-i iface", "-r file", "-p ", "-L ", "-f file", "-o file", "-s name", "-u user", "-d ", "-S limit", "-t c,h", "-m c,h", "--config FILE", "--socket-mode", "--socket-group", "--kernel-buffer", "--stats-interval" })
            {
                Assert.Contains(option, help.Stdout, StringComparison.Ordinal);
            }
        }

        using (ChildProcess version = Daemons.StartOursHere(dir, ["--version"]))
        {
            Assert.True(version.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, version.ExitCode);
            Assert.Contains("p0f 3.09b compatible", version.Stdout, StringComparison.Ordinal);
        }

        using (ChildProcess unknown = Daemons.StartOursHere(dir, ["--no-such-option"]))
        {
            Assert.True(unknown.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Equal(1, unknown.ExitCode);
            Assert.Contains("p0fsharp: unrecognized option '--no-such-option'", unknown.StderrLines);
            Assert.Contains(unknown.StderrLines, l => l.StartsWith("Usage: p0fsharp", StringComparison.Ordinal));
        }
    }

    /// <summary>The line that says how a run ended: the error headline, getopt's complaint, or "All done".</summary>
    private static string Outcome(ChildProcess run)
    {
        string? error = run.StderrLines.FirstOrDefault(l => l.Contains("PROGRAM ABORT", StringComparison.Ordinal) || l.Contains("SYSTEM ERROR", StringComparison.Ordinal));
        if (error != null)
        {
            return error;
        }

        // getopt names the program as invoked (p0f: its full path).
        string? getopt = run.StderrLines.FirstOrDefault(l => l.Contains(": invalid option", StringComparison.Ordinal)
            || l.Contains(": option requires an argument", StringComparison.Ordinal));
        if (getopt != null)
        {
            return getopt[(getopt.IndexOf(": ", StringComparison.Ordinal) + 2)..];
        }

        return run.StdoutLines.LastOrDefault(l => l.Length > 0) ?? "(nothing)";
    }
}
