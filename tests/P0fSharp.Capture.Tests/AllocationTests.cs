using P0fSharp.Capture.Tests.Support;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Capture.Tests;

/// <summary>The hot path allocates nothing per packet.</summary>
public sealed class AllocationTests
{
    private static byte[][] Mix() =>
    [
        Frames.Ether(Frames.LinuxSyn()),
        Frames.Ether(Frames.LinuxSyn6()),
        Frames.Ether(Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(flags: Frames.Ack | Frames.Psh, payload: new byte[200], options: Frames.Opts(Frames.Nop, Frames.Nop, Frames.Ts(1, 2))))),
        Frames.Ether(Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(options: [.. Enumerable.Repeat((byte)1, 36), .. Frames.Mss(1460)]))),
        Frames.Ether(Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(), protocol: 17)),
        Frames.Ether(Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(flags: Frames.Syn | Frames.Fin))),
        Frames.EtherTagged(Frames.LinuxSyn(), 5, 0x8100),
        Frames.Ether(new byte[50], 0x0806),
    ];

    [Fact]
    public void DecodingAHundredThousandFramesAllocatesNothing()
    {
        byte[][] frames = Mix();
        var warnings = new List<string>();
        var decoder = new PacketDecoder(LinkTypes.Ethernet, null, warnings.Add);
        var vlanDecoder = new PacketDecoder(LinkTypes.Ethernet, new DecoderOptions { DecodeVlan = true });
        var auto = new PacketDecoder(147);
        var packet = default(DecodedPacket);
        long ok = 0;

        // Warm up: JIT, statics and the once-only warning string.
        for (int i = 0; i < 1000; i++)
        {
            byte[] f = frames[i % frames.Length];
            decoder.Decode(f, f.Length, ref packet);
            vlanDecoder.Decode(f, f.Length, ref packet);
            auto.Decode(f, f.Length, ref packet);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            byte[] f = frames[i % frames.Length];
            if (decoder.Decode(f, f.Length, ref packet) == DecodeStatus.Ok)
            {
                ok += packet.Fingerprint.Mss + packet.Payload.Length;
            }

            vlanDecoder.Decode(f, f.Length, ref packet);
            auto.Decode(f, f.Length, ref packet);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(ok > 0);
        Assert.Single(warnings);
    }

    [Fact]
    public void ReadingAHundredThousandPacketsAllocatesOnlyAConstant()
    {
        string path = Path.Combine(Path.GetTempPath(), $"p0fsharp-alloc-{Environment.ProcessId}.pcap");
        try
        {
            byte[][] mix = Mix();
            PcapFiles.WritePcap(path, LinkTypes.Ethernet, Enumerable.Range(0, 100_000).Select(i => new TestFrame(mix[i % mix.Length], 1700000000 + (i / 1000), i % 1000)));

            // Warm-up pass over a second reader.
            using (OfflineCaptureReader warm = OfflineCaptureReader.Open(path))
            {
                var w = new DecodingHandler(new PacketDecoder(warm.LinkType));
                warm.ReadAll(ref w);
            }

            using OfflineCaptureReader reader = OfflineCaptureReader.Open(path);
            reader.ApplyFilter(null);
            var handler = new DecodingHandler(new PacketDecoder(reader.LinkType));
            long before = GC.GetAllocatedBytesForCurrentThread();
            CaptureRunResult result = reader.ReadAll(ref handler);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(CaptureEndReason.EndOfFile, result.EndReason);
            Assert.Equal(100_000 * 6 / 8, result.Packets);  // the UDP and ARP frames are filtered out by "tcp"
            Assert.True(handler.Ok > 0);
            Assert.True(allocated < 1024, $"{allocated} bytes allocated for {result.Packets} packets");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private struct DecodingHandler(PacketDecoder decoder) : IPacketHandler
    {
        public long Ok;

        public void OnPacket(ReadOnlySpan<byte> data, int wireLength, PacketTime time)
        {
            var packet = default(DecodedPacket);
            if (decoder.Decode(data, wireLength, ref packet) == DecodeStatus.Ok)
            {
                Ok++;
            }
        }
    }
}
