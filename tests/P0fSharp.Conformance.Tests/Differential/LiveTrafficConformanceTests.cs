using System.Diagnostics;
using P0fSharp.Conformance.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Conformance.Tests.Differential;

/// <summary>
/// Fresh real traffic on every run: tests/data/real/make_real_http.sh --quick builds two network
/// namespaces, serves HTTP with python3's http.server and fetches it with curl, wget and python3
/// urllib while tcpdump records; then p0f and P0fSharp read that capture (default caches, and
/// tiny ones) and their whole logs and terminal output must be identical.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class LiveTrafficConformanceTests(ITestOutputHelper output)
{
    public const string Group = "live";

    private static readonly Lazy<(string? Capture, string Problem)> s_capture = new(CaptureFreshTraffic);

    public static TheoryData<string> Variants => ["default caches", "-m 3,4 -t 2,1"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Fresh_traffic_log_and_terminal_output_equal_p0f(string variant)
    {
        ToolCommand p0f = Tools.RequireRealP0f();
        (string? capture, string problem) = s_capture.Value;
        if (capture is null)
        {
            Assert.False(ConformanceSettings.UnderCi, $"CI must capture live traffic, but {problem}");
            output.WriteLine($"NOTE: live traffic not captured: {problem}");
            return;
        }

        string[] args = variant.StartsWith('-') ? variant.Split(' ') : [];
        var c = new ConformanceCase(Group, args.Length == 0 ? "fresh_http" : "fresh_http_m3_4_t2_1",
            "traffic captured during this test run", capture, ConformanceSettings.RepoDatabase, args, null,
            ExpectLines: true, ExpectExit: 0, ReferenceLog: null);
        RunPair pair = DifferentialRuns.Get(c, p0f);
        Assert.False(pair.Ours.TimedOut || pair.P0f.TimedOut, DifferentialCheck.Describe(pair));

        // The capture must exercise the stateful modules, or the comparison proves little.
        var modules = pair.P0f.LogLines.Select(ModuleSet.ModuleOfLogLine).ToHashSet();
        foreach (string needed in new[] { "syn", "syn+ack", "mtu", "uptime", "http request", "http response" })
        {
            Assert.True(modules.Contains(needed), $"the fresh capture produced no '{needed}' lines in p0f's log "
                + $"({pair.P0f.LogLines.Count} lines): the traffic script no longer exercises it");
        }

        DifferentialCheck.CompareLogs(pair, output);
        DifferentialCheck.CompareTerminal(pair, output);
    }

    private static (string?, string) CaptureFreshTraffic()
    {
        string script = Path.Combine(CaseCatalog.RealDir, "make_real_http.sh");
        if (!File.Exists(script))
        {
            return (null, script + " is missing");
        }

        if (Environment.UserName != "root" && !string.Equals(Environment.GetEnvironmentVariable("USER"), "root", StringComparison.Ordinal))
        {
            return (null, "not running as root (network namespaces need it)");
        }

        foreach (string tool in new[] { "ip", "tcpdump", "curl", "wget" })
        {
            if (!OnPath(tool))
            {
                return (null, $"'{tool}' is not installed (./test.sh installs iproute2, tcpdump, curl and wget)");
            }
        }

        string capture = Path.Combine(TempRoot.Sub("live"), "fresh_http.pcap");
        var psi = new ProcessStartInfo("bash", [script, capture, "--quick"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
        {
            // SIGTERM first so the script's trap removes its namespaces and servers.
            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit(5_000);
            if (!process.WaitForExit(20_000))
            {
                process.Kill(entireProcessTree: true);
            }

            return (null, "make_real_http.sh did not finish within 3 minutes");
        }

        if (process.ExitCode != 0 || !File.Exists(capture))
        {
            return (null, $"make_real_http.sh failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
        }

        return (capture, "");
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
