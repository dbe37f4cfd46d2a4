using System.Buffers.Binary;
using P0fSharp.Capture.Tests.Support;

namespace P0fSharp.Capture.Tests;

/// <summary>OfflineCaptureReader: open errors, filters, truncated/corrupt files, pcapng, stop.</summary>
public sealed class OfflineReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p0fsharp-capture-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string TempFile(string name) => Path.Combine(_dir, name);

    private static List<TestFrame> FiveSyns() =>
        [.. Enumerable.Range(1, 5).Select(i => new TestFrame(Frames.Ether(Frames.LinuxSyn($"10.0.0.{i}")), 1700000000 + i, i * 1000))];

    private string WriteFive(string name = "five.pcap")
    {
        string path = TempFile(name);
        PcapFiles.WritePcap(path, LinkTypes.Ethernet, FiveSyns());
        return path;
    }

    [Fact]
    public void MissingFileGivesP0fsMessage()
    {
        string path = TempFile("does-not-exist.pcap");
        CaptureOpenException ex = Assert.Throws<CaptureOpenException>(() => OfflineCaptureReader.Open(path));
        Assert.Equal($"Can't access file '{path}'.", ex.Message);
        Assert.Equal("No such file or directory", ex.OsMessage);
    }

    [Fact]
    public void GarbageFileGivesLibpcapsMessage()
    {
        string path = TempFile("garbage.pcap");
        File.WriteAllText(path, "garbage\n");
        CaptureOpenException ex = Assert.Throws<CaptureOpenException>(() => OfflineCaptureReader.Open(path));
        Assert.Equal("pcap_open_offline: unknown file format", ex.Message);
        Assert.Null(ex.OsMessage);
    }

    [Fact]
    public void EmptyFileAndDirectoryAreRejectedByLibpcap()
    {
        string empty = TempFile("empty.pcap");
        File.WriteAllBytes(empty, []);
        CaptureOpenException ex = Assert.Throws<CaptureOpenException>(() => OfflineCaptureReader.Open(empty));
        Assert.StartsWith("pcap_open_offline: ", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<CaptureOpenException>(() => OfflineCaptureReader.Open(_dir));
        Assert.StartsWith("pcap_open_offline: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsEveryPacketWithTimesAndLengths()
    {
        using OfflineCaptureReader reader = OfflineCaptureReader.Open(WriteFive());
        Assert.Equal(LinkTypes.Ethernet, reader.LinkType);
        Assert.Null(reader.Filter);
        var seen = new List<(int Length, int Wire, Engine.Packets.PacketTime Time)>();
        CaptureRunResult result = reader.ReadAll((data, wire, time) => seen.Add((data.Length, wire, time)));
        Assert.Equal(new CaptureRunResult(5, CaptureEndReason.EndOfFile), result);
        Assert.Equal(5, reader.PacketsRead);
        Assert.Equal(new Engine.Packets.PacketTime(1700000003, 3000), seen[2].Time);
        Assert.All(seen, s => Assert.Equal(s.Length, s.Wire));

        // A second pass at EOF returns nothing more.
        Assert.Equal(0, reader.ReadAll((_, _, _) => { }).Packets);
    }

    [Theory]
    [InlineData(8)]   // inside the 16-byte record header of packet 4
    [InlineData(30)]  // inside packet 4's data
    public void FileCutMidRecordStopsWithLibpcapsErrorAfterTheCompletePackets(int into)
    {
        string path = WriteFive();
        int recordSize = 16 + FiveSyns()[0].Data.Length;
        long cut = 24 + (3 * recordSize) + into;
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(cut);
        }

        using OfflineCaptureReader reader = OfflineCaptureReader.Open(path);
        reader.ApplyFilter(null);
        var decoded = new List<string>();
        var decoder = new PacketDecoder(reader.LinkType);
        CaptureRunResult result = reader.ReadAll((data, wire, _) =>
        {
            var packet = default(Engine.Packets.DecodedPacket);
            Assert.Equal(DecodeStatus.Ok, decoder.Decode(data, wire, ref packet));
            decoded.Add(packet.Source.ToString());
        });

        Assert.Equal(3, result.Packets);
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3"], decoded);
        Assert.Equal(CaptureEndReason.Error, result.EndReason);
        Assert.Contains("truncated", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void FileCutAtARecordBoundaryIsACleanEnd()
    {
        string path = WriteFive();
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(24 + (2 * (16 + FiveSyns()[0].Data.Length)));
        }

        using OfflineCaptureReader reader = OfflineCaptureReader.Open(path);
        Assert.Equal(new CaptureRunResult(2, CaptureEndReason.EndOfFile), reader.ReadAll((_, _, _) => { }));
    }

    [Fact]
    public void CorruptRecordLengthStopsWithAnError()
    {
        string path = WriteFive();
        byte[] bytes = File.ReadAllBytes(path);
        int record3 = 24 + (2 * (16 + FiveSyns()[0].Data.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(record3 + 8), 0x7FFFFFF0);
        File.WriteAllBytes(path, bytes);

        using OfflineCaptureReader reader = OfflineCaptureReader.Open(path);
        CaptureRunResult result = reader.ReadAll((_, _, _) => { });
        Assert.Equal(2, result.Packets);
        Assert.Equal(CaptureEndReason.Error, result.EndReason);
        Assert.False(string.IsNullOrEmpty(result.Error));
    }

    [Fact]
    public void TruncatedPcapNgIsReadUpToTheCut()
    {
        string path = TempFile("five.pcapng");
        PcapFiles.WritePcapNg(path, LinkTypes.Ethernet, FiveSyns());
        long full = new FileInfo(path).Length;
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(full - 20);
        }

        using OfflineCaptureReader reader = OfflineCaptureReader.Open(path);
        CaptureRunResult result = reader.ReadAll((_, _, _) => { });
        Assert.Equal(4, result.Packets);
        Assert.Equal(CaptureEndReason.Error, result.EndReason);
        Assert.False(string.IsNullOrEmpty(result.Error));
    }

    [Fact]
    public void PcapNgIsReadWithTheSameTimesAndLinkType()
    {
        string path = TempFile("five.pcapng");
        PcapFiles.WritePcapNg(path, LinkTypes.LinuxSll, [new TestFrame(Frames.Sll(Frames.LinuxSyn()), 1700000000, 123456)]);
        using OfflineCaptureReader reader = OfflineCaptureReader.Open(path);
        Assert.Equal(LinkTypes.LinuxSll, reader.LinkType);
        Engine.Packets.PacketTime time = default;
        Assert.Equal(1, reader.ReadAll((_, _, t) => time = t).Packets);
        Assert.Equal(new Engine.Packets.PacketTime(1700000000, 123456), time);
    }

    [Fact]
    public void NanosecondPcapIsReadInMicroseconds()
    {
        string path = WriteFive();
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 0xA1B23C4D);
        int first = 24;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(first + 4), 987654321);
        File.WriteAllBytes(path, bytes);

        using OfflineCaptureReader reader = OfflineCaptureReader.Open(path);
        var times = new List<Engine.Packets.PacketTime>();
        reader.ReadAll((_, _, t) => times.Add(t));
        Assert.Equal(new Engine.Packets.PacketTime(1700000001, 987654), times[0]);
    }

    [Fact]
    public void SnapTruncatedPacketsKeepTheirWireLength()
    {
        string path = TempFile("snap.pcap");
        byte[] frame = Frames.Ether(Frames.LinuxSyn());
        PcapFiles.WritePcap(path, LinkTypes.Ethernet, [new TestFrame(frame[..54], 1, 0, frame.Length)], snapLength: 54);
        using OfflineCaptureReader reader = OfflineCaptureReader.Open(path);
        var decoder = new PacketDecoder(reader.LinkType);
        DecodeStatus status = DecodeStatus.Ok;
        reader.ReadAll((data, wire, _) =>
        {
            Assert.Equal(54, data.Length);
            Assert.Equal(frame.Length, wire);
            var packet = default(Engine.Packets.DecodedPacket);
            status = decoder.Decode(data, wire, ref packet);
        });

        // p0f drops packets cut by the snap length (the IP total length is not covered).
        Assert.Equal(DecodeStatus.IpTruncated, status);
    }

    [Fact]
    public void CallbackExceptionsPropagateAndReadingCanContinue()
    {
        using OfflineCaptureReader reader = OfflineCaptureReader.Open(WriteFive());
        int calls = 0;
        Assert.Throws<InvalidOperationException>(() => reader.ReadAll((_, _, _) =>
        {
            if (++calls == 2)
            {
                throw new InvalidOperationException("boom");
            }
        }));
        Assert.Equal(2, reader.PacketsRead);
        Assert.Equal(3, reader.ReadAll((_, _, _) => { }).Packets);
        Assert.Equal(5, reader.PacketsRead);
    }

    [Fact]
    public void RequestStopEndsTheLoop()
    {
        using OfflineCaptureReader reader = OfflineCaptureReader.Open(WriteFive());
        int calls = 0;
        CaptureRunResult result = reader.ReadAll((_, _, _) =>
        {
            if (++calls == 2)
            {
                reader.RequestStop();
            }
        });
        Assert.Equal(new CaptureRunResult(2, CaptureEndReason.Stopped), result);
    }

    [Fact]
    public void StructHandlersReceiveEveryPacket()
    {
        using OfflineCaptureReader reader = OfflineCaptureReader.Open(WriteFive());
        var handler = new CountingHandler();
        Assert.Equal(5, reader.ReadAll(ref handler).Packets);
        Assert.Equal(5, handler.Count);
        Assert.Equal(5 * FiveSyns()[0].Data.Length, handler.Bytes);
    }

    [Fact]
    public void DisposedReaderRefusesWork()
    {
        OfflineCaptureReader reader = OfflineCaptureReader.Open(WriteFive());
        reader.Dispose();
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.ReadAll((_, _, _) => { }));
        Assert.Throws<ObjectDisposedException>(() => reader.ApplyFilter(null));
    }

    [Fact]
    public void DefaultFilterOnEthernetIncludesVlan()
    {
        using OfflineCaptureReader reader = OfflineCaptureReader.Open(WriteFive());
        CaptureFilter filter = reader.ApplyFilter(null);
        Assert.Equal(new CaptureFilter(null, "tcp or (vlan and tcp)", true), filter);
        Assert.Equal("[+] Default packet filtering configured [+VLAN].", filter.BannerLine);
        Assert.Same(filter, reader.Filter);
    }

    [Fact]
    public void FiltersOnOtherLinkTypesHaveNoVlan()
    {
        string path = TempFile("raw.pcap");
        PcapFiles.WritePcap(path, LinkTypes.LinktypeRaw, [new TestFrame(Frames.LinuxSyn(), 1, 0), new TestFrame(Frames.LinuxSyn(sport: 1234), 2, 0)]);
        using OfflineCaptureReader reader = OfflineCaptureReader.Open(path);
        Assert.Equal(LinkTypes.Raw, reader.LinkType);
        Assert.Equal("[+] Default packet filtering configured.", reader.ApplyFilter(null).BannerLine);
        CaptureFilter filter = reader.ApplyFilter("src port 1234");
        Assert.Equal("tcp and (src port 1234)", filter.Expression);
        Assert.Equal("[+] Custom filtering rule enabled: src port 1234", filter.BannerLine);
        Assert.Equal(1, reader.ReadAll((_, _, _) => { }).Packets);
    }

    [Fact]
    public void BadRuleThrowsWithLibpcapsMessage()
    {
        using OfflineCaptureReader reader = OfflineCaptureReader.Open(WriteFive());
        CaptureFilterException ex = Assert.Throws<CaptureFilterException>(() => reader.ApplyFilter("port 8x"));

        // p0f 3.09b prints exactly: [-] pcap_compile: unknown port '8x'
        Assert.Equal("unknown port '8x'", ex.LibpcapMessage);
        Assert.Equal("pcap_compile: unknown port '8x'", ex.Message);
        Assert.Equal("tcp and (port 8x)", ex.Expression);
        Assert.Equal("port 8x", ex.UserRule);
        Assert.False(ex.SetFilterFailed);
        Assert.Equal("Syntax error! See 'man tcpdump' for help on filters.", ex.P0fFatalText);

        Assert.Throws<CaptureFilterException>(() => reader.ApplyFilter(string.Empty));
        Assert.Throws<CaptureFilterException>(() => reader.ApplyFilter("tcp and ("));
    }

    [Fact]
    public void ExpressionsAreBuiltLikeP0f()
    {
        Assert.Equal("tcp or (vlan and tcp)", CaptureFilter.BuildExpression(null, vlan: true));
        Assert.Equal("tcp", CaptureFilter.BuildExpression(null, vlan: false));
        Assert.Equal("(tcp and (port 25)) or (vlan and tcp and (port 25))", CaptureFilter.BuildExpression("port 25", vlan: true));
        Assert.Equal("tcp and (port 25)", CaptureFilter.BuildExpression("port 25", vlan: false));
        Assert.Equal("[+] Custom filtering rule enabled: port 25 [+VLAN]", new CaptureFilter("port 25", "x", true).BannerLine);
    }

    private struct CountingHandler : IPacketHandler
    {
        public int Count;
        public long Bytes;

        public void OnPacket(ReadOnlySpan<byte> data, int wireLength, Engine.Packets.PacketTime time)
        {
            Count++;
            Bytes += data.Length;
        }
    }
}
