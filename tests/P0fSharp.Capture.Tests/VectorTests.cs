using P0fSharp.Capture.Tests.Support;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Capture.Tests;

/// <summary>
/// Every crafted vector pcap, read through libpcap with p0f's filter and decoded, checked
/// against what the real p0f 3.09b printed for it (EXPECTED.md, out/*.stdout).
/// </summary>
public sealed class VectorTests
{
    public static TheoryData<string> Vectors => TestPaths.VectorNames();

    [SharedTheory]
    [MemberData(nameof(Vectors))]
    public void EveryLoggedTcpSignatureIsReproducedByTheDecoder(string name)
    {
        DecodeRun run = DecodeRun.Read(Path.Combine(TestPaths.PcapsDir, name + ".pcap"));
        Assert.Equal(CaptureEndReason.EndOfFile, run.Result.EndReason);
        Assert.True(ExpectedOutput.HasCase(name), "EXPECTED.md has no section for " + name);

        var available = run.Ok.Where(r => r.RawSig is not null).ToList();
        foreach (ExpectedSignature expected in ExpectedOutput.SignaturesFor(name))
        {
            DecodedRecord? match = available.FirstOrDefault(r =>
                r.Source == expected.Sender && r.SourcePort == expected.SenderPort
                && r.Destination == expected.Receiver && r.DestinationPort == expected.ReceiverPort
                && ((r.Flags & TcpFlags.Ack) != 0) == expected.SynAck
                && r.RawSig == expected.RawSig);
            if (match is null)
            {
                string candidates = string.Join(
                    "\n  ",
                    available.Where(r => r.Source == expected.Sender && r.SourcePort == expected.SenderPort).Select(r => r.RawSig));
                Assert.Fail($"{name}: no decoded packet {expected.Sender}/{expected.SenderPort} -> {expected.Receiver}/{expected.ReceiverPort} with raw_sig {expected.RawSig}\n  decoded from that sender:\n  {candidates}");
            }

            available.Remove(match);
        }
    }

    [SharedTheory]
    [MemberData(nameof(Vectors))]
    public void PacketCountFilterBannerAndWarningsMatchP0f(string name)
    {
        DecodeRun run = DecodeRun.Read(Path.Combine(TestPaths.PcapsDir, name + ".pcap"));
        Assert.Equal(ExpectedOutput.ProcessedPackets(name), run.Result.Packets);
        Assert.Equal(ExpectedOutput.FilterBanner(name), run.Filter!.BannerLine);
        Assert.Equal(ExpectedOutput.DecoderWarnings(name), run.Warnings);
    }

    [SharedTheory]
    [MemberData(nameof(Vectors))]
    public void PcapNgCopyDecodesIdentically(string name)
    {
        string source = Path.Combine(TestPaths.PcapsDir, name + ".pcap");
        (int linkType, List<TestFrame> frames) = PcapFiles.ReadPcap(source);
        string ng = Path.Combine(Path.GetTempPath(), $"p0fsharp-{Environment.ProcessId}-{name}.pcapng");
        try
        {
            PcapFiles.WritePcapNg(ng, linkType, frames);
            DecodeRun a = DecodeRun.Read(source);
            DecodeRun b = DecodeRun.Read(ng);
            Assert.Equal(a.LinkType, b.LinkType);
            Assert.Equal(a.Result.Packets, b.Result.Packets);
            Assert.Equal(CaptureEndReason.EndOfFile, b.Result.EndReason);
            Assert.Equal(a.Records.Count, b.Records.Count);
            for (int i = 0; i < a.Records.Count; i++)
            {
                DecodedRecord x = a.Records[i];
                DecodedRecord y = b.Records[i];
                Assert.Equal(x.Status, y.Status);
                Assert.Equal(x.Time, y.Time);
                Assert.Equal(x.WireLength, y.WireLength);
                Assert.Equal(x.RawSig, y.RawSig);
                Assert.Equal(x.Source, y.Source);
                Assert.Equal(x.Sequence, y.Sequence);
                Assert.Equal(x.Payload, y.Payload);
            }
        }
        finally
        {
            File.Delete(ng);
        }
    }

    [SharedFact]
    public void ExpectedOutputParserFindsEveryTcpSignatureLine()
    {
        // 184 mod=syn / syn+ack / sendsyn lines in EXPECTED.md (grep -c).
        int total = TestPaths.VectorNameList().Sum(name => ExpectedOutput.SignaturesFor(name).Count);
        Assert.Equal(184, total);
    }

    [SharedFact]
    public void IgnoredPacketsAreDroppedForP0fsReasons()
    {
        DecodeRun run = DecodeRun.Read(Path.Combine(TestPaths.PcapsDir, "t15_ignored_packets.pcap"));
        DecodeStatus[] expected =
        [
            DecodeStatus.BadTcpFlags,   // SYN+FIN
            DecodeStatus.BadTcpFlags,   // SYN+RST
            DecodeStatus.Fragment,      // MF
            DecodeStatus.Ok,            // control
            DecodeStatus.Fragment,      // fragment offset 8
            DecodeStatus.BadTcpHeader,  // doff 4
            DecodeStatus.IpTruncated,   // tot_len claims 10 more bytes than captured
            DecodeStatus.BadTcpFlags,   // no flags
        ];
        Assert.Equal(expected, run.Records.Select(r => r.Status));
        Assert.Equal("10.15.0.4", run.Records[3].Source);
    }

    [SharedFact]
    public void VlanVectorIsDroppedByDefaultWithP0fsWarningAndDecodedWithTheOption()
    {
        string path = Path.Combine(TestPaths.PcapsDir, "t19_link_vlan.pcap");
        DecodeRun exact = DecodeRun.Read(path);
        Assert.Equal(LinkTypes.Ethernet, exact.LinkType);
        Assert.True(exact.Filter!.Vlan);
        DecodedRecord only = Assert.Single(exact.Records);
        Assert.Equal(DecodeStatus.UnknownPacketType, only.Status);
        Assert.Equal(["Unknown packet type 0, link detection issue?"], exact.Warnings);

        DecodeRun improved = DecodeRun.Read(path, new DecoderOptions { DecodeVlan = true });
        DecodedRecord decoded = Assert.Single(improved.Records);
        Assert.Equal(DecodeStatus.Ok, decoded.Status);
        Assert.Equal("10.19.0.1", decoded.Source);
        Assert.Equal("4:64+0:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0", decoded.RawSig);
        Assert.Empty(improved.Warnings);
    }

    [SharedFact]
    public void RawAndCookedVectorsUseTheirLinkTypes()
    {
        DecodeRun raw = DecodeRun.Read(Path.Combine(TestPaths.PcapsDir, "t17_link_raw.pcap"));
        Assert.Equal(LinkTypes.Raw, raw.LinkType);
        Assert.False(raw.Filter!.Vlan);
        Assert.Equal("tcp", raw.Filter.Expression);
        Assert.Equal("10.17.0.1", Assert.Single(raw.Ok).Source);

        DecodeRun sll = DecodeRun.Read(Path.Combine(TestPaths.PcapsDir, "t18_link_sll.pcap"));
        Assert.Equal(LinkTypes.LinuxSll, sll.LinkType);
        Assert.Equal("10.18.0.1", Assert.Single(sll.Ok).Source);
    }

    [SharedFact]
    public void IpOptionsPayloadAndTrailerPaddingFollowP0f()
    {
        DecodeRun run = DecodeRun.Read(Path.Combine(TestPaths.PcapsDir, "t14_ip_options_payload.pcap"));
        DecodedRecord[] ok = [.. run.Ok];
        Assert.Equal(3, ok.Length);
        Assert.Equal(4, ok[0].Fingerprint.IpOptionLength);
        Assert.Equal(24 + 40, ok[0].Fingerprint.TotalHeaderLength);
        Assert.Equal("abcd"u8.ToArray(), ok[1].Payload);
        Assert.True(ok[1].Fingerprint.HasPayload);
        Assert.Empty(ok[2].Payload);
        Assert.False(ok[2].Fingerprint.HasPayload);
    }

    [SharedFact]
    public void UserRuleFiltersTheFileLikeP0f()
    {
        // p0f -r t01 'port 81' processes 0 packets (spec §9.3).
        DecodeRun run = DecodeRun.Read(Path.Combine(TestPaths.PcapsDir, "t01_linux_syn.pcap"), rule: "port 81");
        Assert.Equal(0, run.Result.Packets);
        Assert.Equal("[+] Custom filtering rule enabled: port 81 [+VLAN]", run.Filter!.BannerLine);
        Assert.Equal("(tcp and (port 81)) or (vlan and tcp and (port 81))", run.Filter.Expression);

        DecodeRun hit = DecodeRun.Read(Path.Combine(TestPaths.PcapsDir, "t01_linux_syn.pcap"), rule: "port 80");
        Assert.Equal(1, hit.Result.Packets);
    }

    [SharedFact]
    public void TimestampsComeFromThePcapHeader()
    {
        DecodeRun run = DecodeRun.Read(Path.Combine(TestPaths.PcapsDir, "t23_uptime_two_syns.pcap"));
        Assert.Equal(new PacketTime(1700000000, 0), run.Records[0].Time);
        Assert.Equal(new PacketTime(1700000001, 0), run.Records[1].Time);
    }
}
