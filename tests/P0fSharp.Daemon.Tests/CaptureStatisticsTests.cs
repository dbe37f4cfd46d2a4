using System.Globalization;
using System.Text.RegularExpressions;
using P0fSharp.Daemon.Tests.Support;
using Xunit;

namespace P0fSharp.Daemon.Tests;

/// <summary>
/// Issue 4, live capture: libpcap statistics (received / dropped by kernel / dropped by
/// interface) logged every --stats-interval seconds and on exit, read with P0fSharp's own
/// pcap_stats import (SharpPcap 6.3.1 reports ps_ifdrop as the kernel drop count on 64-bit
/// Linux, see ../shared/dotnet/notes.md), and the --kernel-buffer size applied to the ring.
/// </summary>
public sealed partial class CaptureStatisticsTests
{
    [Fact]
    public void StatisticsAreLoggedPeriodicallyAndOnExit()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        lab.StartListener(25);
        string socket = dir.File("api.sock");
        using ChildProcess daemon = Daemons.StartOursServing(lab, dir, socket, ["--stats-interval", "1"], "tcp port 25");
        Assert.Equal(3, lab.Connect(NetLab.ClientV4(0), NetLab.ServerV4, 25, 3));
        P0fApi.AskUntil(socket, NetLab.ClientV4(0), a => a.TotalConn >= 3, TimeSpan.FromSeconds(60));

        // Two periodic reports after the traffic, then the final one on SIGTERM.
        int seen = daemon.Count(stderr: true, IsPeriodic);
        daemon.WaitForStderr(l => IsPeriodic(l) && daemon.Count(stderr: true, IsPeriodic) >= seen + 2, TimeSpan.FromSeconds(60), "two more periodic reports");
        string periodic = daemon.StderrLines.Last(IsPeriodic);
        Assert.Equal(0, daemon.Stop(Native.SIGTERM, Daemons.StopTimeout));
        string final = Assert.Single(daemon.StderrLines, l => l.StartsWith("[+] Capture statistics (final): ", StringComparison.Ordinal));

        foreach (string line in new[] { periodic, final })
        {
            // pcap_stats counts a frame when the kernel queues it, "processed" when the daemon
            // has read it, so a report may catch a few frames in between.
            Match m = StatisticsLine().Match(line);
            Assert.True(m.Success, line);
            Assert.True(Number(m, "received") >= 3 * 5, line); // SYN, SYN+ACK, ACK, FIN, FIN at least per connection
            Assert.InRange(Number(m, "processed"), 3 * 3, Number(m, "received"));
            Assert.Equal(0, Number(m, "kernel"));
            Assert.Equal(3, Number(m, "syn"));
            Assert.Equal(3, Number(m, "synack"));
        }
    }

    [Fact]
    public void PacketsTheKernelDropsAreCountedAndReported()
    {
        Require.NetworkLab();
        string tcpreplay = Require.TcpReplay();
        using var dir = new TempDir();

        // ~5,400 small TCP frames, documentation addresses only.
        string generated = dir.File("gen.pcap");
        Assert.Equal(0, Cmd.Run(Require.Python(), Path.Combine(Paths.SharedRoot, "bench", "gen_pcap.py"), generated, "600", "100", "9").ExitCode);
        var capture = new ReplayCapture();
        List<byte[]> frames = ReplayCapture.ReadFrames(generated);
        capture.Reserve(frames);
        capture.Add(frames);
        string pcap = dir.File("burst.pcap");
        capture.Write(pcap);

        using var lab = NetLab.Create(addresses: false);
        string socket = dir.File("api.sock");
        using ChildProcess daemon = Daemons.StartOursServing(lab, dir, socket, ["--kernel-buffer", "1", "--stats-interval", "1"]);

        // A stopped daemon reads nothing: 8 × 5,400 frames overflow the 1 MiB ring.
        daemon.Signal(Native.SIGSTOP);
        int sent = 8 * capture.FrameCount;
        try
        {
            CmdResult replay = Cmd.Run("ip", ["netns", "exec", lab.ClientNs, tcpreplay, "-q", "--topspeed", "--loop=8", "-i", lab.ClientIf, pcap], TimeSpan.FromMinutes(2));
            Assert.True(replay.ExitCode == 0, replay.ToString());
        }
        finally
        {
            daemon.Signal(Native.SIGCONT);
        }

        // Wait until the daemon has seen the whole burst, then send a few more frames, slowly.
        // A frame that arrived while the ring was frozen full can sit in a block the kernel has
        // not yet handed over until the next frame arrives (CI once saw one such frame stay
        // unread for a minute on an idle link), so the final accounting comes after a nudge.
        daemon.WaitForStderr(l => StatisticsLine().Match(l) is { Success: true } m && Number(m, "received") >= sent,
            TimeSpan.FromSeconds(60), $"a periodic report counting all {sent} frames as received");
        string nudge = dir.File("nudge.pcap");
        var single = new ReplayCapture();
        single.Reserve(frames.Take(1));
        single.Add(frames.Take(1));
        single.Write(nudge);
        const int Nudges = 3;
        for (int i = 0; i < Nudges; i++)
        {
            CmdResult one = Cmd.Run("ip", ["netns", "exec", lab.ClientNs, tcpreplay, "-q", "-i", lab.ClientIf, nudge], TimeSpan.FromSeconds(30));
            Assert.True(one.ExitCode == 0, one.ToString());
            Thread.Sleep(200);
        }

        // Once it has drained the ring, every frame the kernel received either reached the
        // daemon or was counted as a drop, to within a handful: the kernel's ring can count a
        // frame of a burst that overran it as received without handing it over or counting it
        // dropped (CI saw 2 of 43,205 stay unaccounted after three later frames had been
        // delivered). Never more accounted than received, at most 0.1 % unaccounted.
        int total = sent + (Nudges * single.FrameCount);
        string drained = daemon.WaitForStderr(
            l => StatisticsLine().Match(l) is { Success: true } m && Number(m, "received") >= total
                && Number(m, "received") - (Number(m, "processed") + Number(m, "kernel")) is >= 0 and var unaccounted
                && unaccounted <= Number(m, "received") / 1000,
            TimeSpan.FromSeconds(60), $"a periodic report accounting for all {total} frames (to within 0.1 %)");
        Match d = StatisticsLine().Match(drained);
        Assert.True(Number(d, "kernel") > 0, $"{sent} frames sent at a stopped daemon, yet no kernel drop reported: {drained}");
        Assert.True(Number(d, "processed") > 0, drained);

        Assert.Equal(0, daemon.Stop(Native.SIGTERM, Daemons.StopTimeout));
        Match final = StatisticsLine().Match(Assert.Single(daemon.StderrLines, l => l.StartsWith("[+] Capture statistics (final): ", StringComparison.Ordinal)));
        Assert.True(final.Success);
        Assert.Equal(Number(d, "kernel"), Number(final, "kernel"));
        Assert.Equal(Number(d, "processed"), Number(final, "processed"));
    }

    [Fact]
    public void TheKernelBufferOptionSizesTheCaptureRing()
    {
        using var lab = NetLab.Create();
        using var dir = new TempDir();
        foreach ((string[] extra, long mib) in new[] { (Array.Empty<string>(), 32L), (new[] { "--kernel-buffer", "8" }, 8L) })
        {
            string socket = dir.File($"api{mib}.sock");
            using ChildProcess daemon = Daemons.StartOursServing(lab, dir, socket, extra);

            // libpcap maps the TPACKET ring into the process: a shared mapping of the capture socket.
            long[] rings = File.ReadAllLines($"/proc/{daemon.Pid}/maps")
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 6 && f[1].Contains('s', StringComparison.Ordinal) && f[5].StartsWith("socket:[", StringComparison.Ordinal))
                .Select(f => f[0].Split('-'))
                .Select(r => long.Parse(r[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) - long.Parse(r[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture))
                .ToArray();
            Assert.Equal(mib * 1024 * 1024, Assert.Single(rings));
            Assert.Equal(0, daemon.Stop(Native.SIGTERM, Daemons.StopTimeout));
        }
    }

    private static long Number(Match m, string group) => long.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static bool IsPeriodic(string line) => line.StartsWith("[+] Capture statistics (periodic): ", StringComparison.Ordinal);

    [GeneratedRegex(@"^\[\+\] Capture statistics \((periodic|final)\): received (?<received>\d+), dropped by kernel (?<kernel>\d+), dropped by interface (?<iface>\d+); processed (?<processed>\d+); engine: packets \d+ \(undecodable \d+\), SYN (?<syn>\d+), SYN\+ACK (?<synack>\d+), .*\.$")]
    private static partial Regex StatisticsLine();
}
