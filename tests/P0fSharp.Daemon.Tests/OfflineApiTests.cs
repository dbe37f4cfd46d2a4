using System.Text.RegularExpressions;
using P0fSharp.Daemon.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Daemon.Tests;

/// <summary>
/// Issue 4, offline replay with the API (p0f refuses <c>-r</c> with <c>-s</c>): the file is
/// analysed, then the host state it built is served until a stop signal.
/// </summary>
public sealed partial class OfflineApiTests
{
    private readonly ITestOutputHelper _output;

    public OfflineApiTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(Native.SIGTERM)]
    [InlineData(Native.SIGHUP)]
    public void AnalysedFileIsServedUntilStopped(int signal)
    {
        using var dir = new TempDir();
        string socket = dir.File("api.sock");
        string log = dir.File("p0f.log");
        using ChildProcess run = Daemons.StartOursHere(dir, ["-r", Paths.SampleCapture, "-s", socket, "-o", log]);
        run.WaitForStdout(l => l.StartsWith("[+] Capture file done; still answering API queries on ", StringComparison.Ordinal),
            Daemons.StartTimeout, "the end of the analysis");
        Assert.Contains(run.StdoutLines, l => Regex.IsMatch(l, @"^All done\. Processed \d+ packets\.$"));

        // Every client's answer agrees with what the log says about it. (The running program
        // holds p0f's exclusive lock on its log, which .NET's own readers respect.)
        var clients = Cmd.Check("cat", log).Stdout.Split('\n')
            .Select(l => SynLine().Match(l))
            .Where(m => m.Success)
            .GroupBy(m => m.Groups["cli"].Value)
            .ToList();
        Assert.True(clients.Count > 20, $"{clients.Count} clients in the log");
        int named = 0;
        foreach (var client in clients)
        {
            P0fAnswer a = P0fApi.Ask(socket, client.Key);
            Assert.Equal(P0fAnswer.Ok, a.Status);
            Assert.Equal((uint)client.Count(), a.TotalConn);
            string os = client.Last().Groups["os"].Value;
            if (os != "???")
            {
                Assert.Equal(os, a.OsFlavor.Length > 0 ? a.OsName + " " + a.OsFlavor : a.OsName);
                named++;
            }

            Assert.Equal(short.Parse(client.Last().Groups["dist"].Value, System.Globalization.CultureInfo.InvariantCulture), a.Distance);
        }

        _output.WriteLine($"{clients.Count} clients answered from the offline state, {named} with an OS name");
        Assert.Equal(P0fAnswer.NoMatch, P0fApi.Ask(socket, "203.0.113.200").Status);

        Assert.Equal(0, run.Stop(signal, Daemons.StopTimeout));
        Assert.False(File.Exists(socket));
        Assert.Contains("[!] WARNING: User-initiated shutdown.", run.StderrLines);
    }

    [GeneratedRegex(@"\] mod=syn\|cli=(?<cli>[^/]+)/\d+\|srv=[^|]+\|subj=cli\|os=(?<os>[^|]*)\|dist=(?<dist>-?\d+)\|")]
    private static partial Regex SynLine();
}
