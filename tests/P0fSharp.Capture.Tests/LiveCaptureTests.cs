using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using P0fSharp.Capture.Tests.Support;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Capture.Tests;

/// <summary>Live capture on the loopback interface (root only) and interface listing.</summary>
public sealed class LiveCaptureTests
{
    private sealed record Seen(DecodeStatus Status, TcpFlags Flags, string Source, ushort SourcePort, ushort DestinationPort, string? RawSig);

    [RootFact]
    public void SynOnLoopbackIsCapturedAndDecoded()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using LiveCaptureSource source = LiveCaptureSource.Open(new LiveCaptureOptions { Interface = "lo" });
        Assert.Equal("lo", source.InterfaceName);
        Assert.False(source.IsDefaultInterface);
        Assert.Equal(LinkTypes.Ethernet, source.LinkType);
        CaptureFilter filter = source.ApplyFilter($"tcp port {port}");
        Assert.Equal($"[+] Custom filtering rule enabled: tcp port {port} [+VLAN]", filter.BannerLine);

        var decoder = new PacketDecoder(source.LinkType);
        var seen = new ConcurrentQueue<Seen>();
        using var finished = new ManualResetEventSlim();
        source.Start(
            (data, wire, time) =>
            {
                var packet = default(DecodedPacket);
                DecodeStatus status = decoder.Decode(data, wire, ref packet);
                seen.Enqueue(status == DecodeStatus.Ok
                    ? new Seen(status, packet.Flags, packet.Source.ToString(), packet.SourcePort, packet.DestinationPort, RawSig.Format(packet.Fingerprint, packet.Flags))
                    : new Seen(status, 0, string.Empty, 0, 0, null));
            },
            completed: _ => finished.Set());
        Assert.True(source.IsRunning);

        using (var client = new TcpClient())
        {
            client.Connect(IPAddress.Loopback, port);
            using TcpClient accepted = listener.AcceptTcpClient();
            client.GetStream().Write("hello"u8);
            var buffer = new byte[5];
            accepted.GetStream().ReadExactly(buffer);
        }

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10)
            && !(seen.Any(s => s.Flags == TcpFlags.Syn && s.DestinationPort == port) && seen.Any(s => s.Flags == (TcpFlags.Syn | TcpFlags.Ack))))
        {
            Thread.Sleep(10);
        }

        Seen syn = Assert.Single(seen, s => s.Flags == TcpFlags.Syn);
        Assert.Equal(DecodeStatus.Ok, syn.Status);
        Assert.Equal("127.0.0.1", syn.Source);
        Assert.Equal(port, syn.DestinationPort);

        // Linux on lo: MTU 65536 -> MSS 65495, TTL 64, mss,sok,ts,nop,ws, DF.
        Assert.StartsWith("4:64+0:0:65495:", syn.RawSig, StringComparison.Ordinal);
        Assert.Contains(":mss,sok,ts,nop,ws:df", syn.RawSig, StringComparison.Ordinal);
        Assert.Contains(seen, s => s.Flags == (TcpFlags.Syn | TcpFlags.Ack) && s.SourcePort == port);
        Assert.All(seen, s => Assert.Equal(DecodeStatus.Ok, s.Status));

        CaptureStatistics stats = source.GetStatistics();
        Assert.True(stats.Received >= 3, stats.ToString());
        Assert.Equal(0u, stats.DroppedByKernel);

        var stopwatch = Stopwatch.StartNew();
        Assert.True(source.Stop());
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"Stop took {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(finished.Wait(TimeSpan.FromSeconds(1)));
        Assert.False(source.IsRunning);
        Assert.Equal(CaptureEndReason.Stopped, source.Result!.EndReason);
        Assert.Equal(seen.Count, source.PacketsCaptured);
        Assert.Equal(seen.Count, source.Result.Packets);
        Assert.True(source.GetStatistics().Received >= stats.Received);
    }

    [RootFact]
    public void StopIsPromptWithoutTrafficInBothReadModes()
    {
        foreach (bool immediate in new[] { false, true })
        {
            using LiveCaptureSource source = LiveCaptureSource.Open(new LiveCaptureOptions { Interface = "lo", Immediate = immediate, BufferSize = 1 << 20 });
            source.ApplyFilter("tcp port 9");
            int timeouts = 0;
            source.Start((_, _, _) => { }, onTimeout: () => Interlocked.Increment(ref timeouts));
            Thread.Sleep(200);
            var stopwatch = Stopwatch.StartNew();
            Assert.True(source.Stop(TimeSpan.FromSeconds(2)));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromMilliseconds(500), $"immediate={immediate}: Stop took {stopwatch.ElapsedMilliseconds} ms");
            Assert.Equal(CaptureEndReason.Stopped, source.Result!.EndReason);
            Assert.Equal(0, source.Result.Packets);
        }
    }

    [RootFact]
    public void CaptureCanBeRestartedAfterStop()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using LiveCaptureSource source = LiveCaptureSource.Open(new LiveCaptureOptions { Interface = "lo" });
        source.ApplyFilter($"tcp port {port} and tcp[tcpflags] & tcp-syn != 0");

        for (int round = 1; round <= 3; round++)
        {
            int seen = 0;
            source.Start((_, _, _) => Interlocked.Increment(ref seen));
            using (var client = new TcpClient())
            {
                client.Connect(IPAddress.Loopback, port);
                listener.AcceptTcpClient().Dispose();
            }

            var deadline = Stopwatch.StartNew();
            while (Volatile.Read(ref seen) < 2 && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(5);
            }

            Assert.True(source.Stop());
            Assert.Equal(2, seen);
            Assert.Equal(CaptureEndReason.Stopped, source.Result!.EndReason);
            Assert.Equal(2L * round, source.PacketsCaptured);
        }
    }

    [RootFact]
    public void RunOnTheCallingThreadStopsFromAnotherThread()
    {
        using LiveCaptureSource source = LiveCaptureSource.Open(new LiveCaptureOptions { Interface = "lo" });
        source.ApplyFilter("tcp port 9");
        using var timer = new Timer(_ => source.Stop(), null, 150, Timeout.Infinite);
        var handler = new NullHandler();
        var stopwatch = Stopwatch.StartNew();
        CaptureRunResult result = source.Run(ref handler);
        Assert.Equal(CaptureEndReason.Stopped, result.EndReason);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2));
    }

    [RootFact]
    public void CallbackExceptionEndsTheThreadWithAFault()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using LiveCaptureSource source = LiveCaptureSource.Open(new LiveCaptureOptions { Interface = "lo" });
        source.ApplyFilter($"tcp port {port}");
        using var finished = new ManualResetEventSlim();
        CaptureRunResult? reported = null;
        source.Start((_, _, _) => throw new InvalidOperationException("handler bug"), completed: r =>
        {
            reported = r;
            finished.Set();
        });
        using (var client = new TcpClient())
        {
            client.Connect(IPAddress.Loopback, port);
        }

        Assert.True(finished.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(CaptureEndReason.CallbackFault, reported!.EndReason);
        Assert.IsType<InvalidOperationException>(reported.Fault);
        Assert.Same(reported, source.Result);
    }

    [RootFact]
    public void StopAndDisposeWithoutStartAreHarmless()
    {
        LiveCaptureSource source = LiveCaptureSource.Open(new LiveCaptureOptions { Interface = "lo", Promiscuous = true });
        Assert.True(source.Stop());
        _ = source.GetStatistics();
        source.Dispose();
        source.Dispose();
        Assert.Throws<ObjectDisposedException>(() => source.Start((_, _, _) => { }));
    }

    [Fact]
    public void UnknownInterfaceGivesP0fsMessage()
    {
        CaptureOpenException ex = Assert.Throws<CaptureOpenException>(() => LiveCaptureSource.Open(new LiveCaptureOptions { Interface = "nosuch0" }));

        // p0f 3.09b: [-] PROGRAM ABORT : pcap_open_live: nosuch0: No such device exists (No such device exists)
        Assert.Equal("pcap_open_live: nosuch0: No such device exists (No such device exists)", ex.Message);
    }

    [Fact]
    public void InterfaceListIncludesLoopback()
    {
        IReadOnlyList<CaptureInterfaceInfo> interfaces = CaptureInterfaces.List();
        CaptureInterfaceInfo lo = Assert.Single(interfaces, i => i.Name == "lo");
        Assert.True(lo.IsLoopback);
        Assert.Equal("127.0.0.1", lo.Address?.ToString());

        string? defaultName = CaptureInterfaces.DefaultInterfaceName();
        if (interfaces.Count > 0 && !interfaces[0].IsLoopback)
        {
            // pcap_lookupdev: the first device when it is not a loopback one.
            Assert.Equal(interfaces[0].Name, defaultName);
        }
    }

    [Fact]
    public void ListingMatchesP0fDashL()
    {
        if (!File.Exists("/usr/sbin/p0f"))
        {
            return;
        }

        var start = new ProcessStartInfo("/usr/sbin/p0f", "-L") { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p0f = Process.Start(start)!;
        string output = p0f.StandardOutput.ReadToEnd();
        p0f.WaitForExit();
        const string Banner = "--- p0f 3.09b by Michal Zalewski <lcamtuf@coredump.cx> ---\n\n";
        Assert.StartsWith(Banner, output, StringComparison.Ordinal);
        Assert.Equal(output[Banner.Length..], CaptureInterfaces.FormatP0fListing(CaptureInterfaces.List()));
    }

    [Fact]
    public void ListingFormat()
    {
        string text = CaptureInterfaces.FormatP0fListing(
        [
            new CaptureInterfaceInfo("eth0", null, false, HostAddress.Parse("192.0.2.2")),
            new CaptureInterfaceInfo("any", "Pseudo-device that captures on all interfaces", false, null),
            new CaptureInterfaceInfo("v6", "x", false, HostAddress.Parse("2001:db8::1")),
        ]);
        Assert.Equal(
            "\n-- Available interfaces --\n"
            + "\n  0: Name        : eth0\n     Description : -\n     IP address  : 192.0.2.2\n"
            + "\n  1: Name        : any\n     Description : Pseudo-device that captures on all interfaces\n     IP address  : (none)\n"
            + "\n  2: Name        : v6\n     Description : x\n     IP address  : 2001:db8:0:0:0:0:0:1\n"
            + "\n",
            text);
    }

    private struct NullHandler : IPacketHandler
    {
        public readonly void OnPacket(ReadOnlySpan<byte> data, int wireLength, PacketTime time)
        {
        }
    }
}
