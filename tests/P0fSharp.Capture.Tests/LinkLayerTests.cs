using P0fSharp.Capture.Tests.Support;

namespace P0fSharp.Capture.Tests;

/// <summary>Link-layer offsets per datalink type, p0f's auto-detection, and the VLAN/SLL2 option.</summary>
public sealed class LinkLayerTests
{
    private const string LinuxSig = "4:64+0:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0";
    private const string LinuxSig6 = "6:64+0:0:1440:mss*20,7:mss,sok,ts,nop,ws::0";
    private static readonly DecoderOptions Vlan = new() { DecodeVlan = true };

    private static DecodedRecord DecodeOne(int linkType, byte[] frame, DecoderOptions? options = null, List<string>? warnings = null) =>
        DecodeRun.DecodeFrames(linkType, [frame], options, warnings)[0];

    [Theory]
    [InlineData(LinkTypes.Raw, 0)]
    [InlineData(LinkTypes.RawOpenBsd, 0)]
    [InlineData(LinkTypes.LinktypeRaw, 0)]
    [InlineData(LinkTypes.Null, 4)]
    [InlineData(LinkTypes.Ppp, 4)]
    [InlineData(LinkTypes.Loop, 8)]
    [InlineData(LinkTypes.PppSerial, 8)]
    [InlineData(LinkTypes.PppEther, 8)]
    [InlineData(LinkTypes.Ethernet, 14)]
    [InlineData(LinkTypes.LinuxSll, 16)]
    [InlineData(LinkTypes.Pflog, 28)]
    [InlineData(LinkTypes.Ieee80211, 32)]
    public void FixedOffsetsFollowP0f(int linkType, int offset)
    {
        Assert.Equal(offset, LinkTypes.FixedOffset(linkType));
        var decoder = new PacketDecoder(linkType);
        Assert.Equal(offset, decoder.LinkOffset);
        Assert.False(decoder.IsAutoDetecting);

        var header = new byte[offset];
        Array.Fill(header, (byte)0xEE);
        DecodedRecord r4 = DecodeOne(linkType, Frames.Prefix(header, Frames.LinuxSyn()));
        Assert.Equal(DecodeStatus.Ok, r4.Status);
        Assert.Equal(LinuxSig, r4.RawSig);

        DecodedRecord r6 = DecodeOne(linkType, Frames.Prefix(header, Frames.LinuxSyn6()));
        Assert.Equal(DecodeStatus.Ok, r6.Status);
        Assert.Equal(LinuxSig6, r6.RawSig);
        Assert.Equal("2001:db8:0:0:0:0:0:1", r6.Source);
    }

    [Fact]
    public void LoopUsesP0fsEightByteOffsetEvenThoughTheHeaderIsFour()
    {
        // DLT_LOOP carries a 4-byte header, but p0f 3.09b skips 8 (spec: "LOOP 8 (sic)").
        DecodedRecord r = DecodeOne(LinkTypes.Loop, Frames.Prefix([0, 0, 0, 2], Frames.LinuxSyn()));
        Assert.NotEqual(DecodeStatus.Ok, r.Status);
    }

    [Fact]
    public void EthernetIpv4AndIpv6()
    {
        Assert.Equal(LinuxSig, DecodeOne(LinkTypes.Ethernet, Frames.Ether(Frames.LinuxSyn())).RawSig);
        Assert.Equal(LinuxSig6, DecodeOne(LinkTypes.Ethernet, Frames.Ether(Frames.LinuxSyn6())).RawSig);
    }

    [Fact]
    public void EthernetVlanIsNotDecodedByDefault()
    {
        var warnings = new List<string>();
        var frames = new[]
        {
            Frames.EtherTagged(Frames.LinuxSyn(), 42, 0x8100),
            Frames.EtherTagged(Frames.LinuxSyn(), 43, 0x8100),
        };
        List<DecodedRecord> records = DecodeRun.DecodeFrames(LinkTypes.Ethernet, frames, null, warnings);
        Assert.All(records, r => Assert.Equal(DecodeStatus.UnknownPacketType, r.Status));
        Assert.Equal(["Unknown packet type 0, link detection issue?"], warnings);
    }

    [Fact]
    public void EthernetVlanWithPriorityBitsLooksLikeGarbageIpv4ToP0f()
    {
        // TCI 0x402A: the "IP" header starts at the TCI, nibble 4, IHL 0 -> dropped, no warning.
        var warnings = new List<string>();
        DecodedRecord r = DecodeOne(LinkTypes.Ethernet, Frames.EtherTagged(Frames.LinuxSyn(), 0x402A, 0x8100), null, warnings);
        Assert.Equal(DecodeStatus.BadIpHeader, r.Status);
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData(new ushort[] { 0x8100 })]
    [InlineData(new ushort[] { 0x88A8, 0x8100 })]
    [InlineData(new ushort[] { 0x9100, 0x8100 })]
    [InlineData(new ushort[] { 0x88A8, 0x9100, 0x8100 })]
    public void VlanOptionDecodesTaggedEthernet(ushort[] tpids)
    {
        byte[] payload = "hello"u8.ToArray();
        byte[] l3 = Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(flags: Frames.Ack | Frames.Psh, payload: payload));
        DecodedRecord r = DecodeOne(LinkTypes.Ethernet, Frames.EtherTagged(l3, 0x402A, tpids), Vlan);
        Assert.Equal(DecodeStatus.Ok, r.Status);
        Assert.Equal(payload, r.Payload);

        Assert.Equal(LinuxSig, DecodeOne(LinkTypes.Ethernet, Frames.EtherTagged(Frames.LinuxSyn(), 7, tpids), Vlan).RawSig);
        Assert.Equal(LinuxSig6, DecodeOne(LinkTypes.Ethernet, Frames.EtherTagged(Frames.LinuxSyn6(), 7, tpids), Vlan).RawSig);
    }

    [Fact]
    public void VlanOptionLeavesUntaggedFramesAlone()
    {
        Assert.Equal(LinuxSig, DecodeOne(LinkTypes.Ethernet, Frames.Ether(Frames.LinuxSyn()), Vlan).RawSig);
        Assert.Equal(LinuxSig, DecodeOne(LinkTypes.LinuxSll, Frames.Sll(Frames.LinuxSyn()), Vlan).RawSig);
        Assert.Equal(LinuxSig, DecodeOne(LinkTypes.Raw, Frames.LinuxSyn(), Vlan).RawSig);
        Assert.Equal(14, new PacketDecoder(LinkTypes.Ethernet, Vlan).LinkOffset);
    }

    [Fact]
    public void VlanOptionOnTruncatedTagsNeverReadsPastTheFrame()
    {
        byte[] full = Frames.EtherTagged(Frames.LinuxSyn(), 5, 0x8100, 0x8100, 0x8100);
        for (int length = 0; length <= full.Length; length++)
        {
            DecodedRecord r = DecodeOne(LinkTypes.Ethernet, full[..length], Vlan);
            Assert.Equal(length == full.Length, r.Status == DecodeStatus.Ok);
        }
    }

    [Fact]
    public void LinuxCookedV1()
    {
        Assert.Equal(LinuxSig, DecodeOne(LinkTypes.LinuxSll, Frames.Sll(Frames.LinuxSyn())).RawSig);
        Assert.Equal(LinuxSig6, DecodeOne(LinkTypes.LinuxSll, Frames.Sll(Frames.LinuxSyn6())).RawSig);

        // VLAN inside SLL (protocol 0x8100 followed by TCI + inner type): only with the option.
        byte[] tagged = Frames.Sll([0x00, 0x2A, 0x08, 0x00, .. Frames.LinuxSyn()], protocol: 0x8100);
        Assert.Equal(DecodeStatus.UnknownPacketType, DecodeOne(LinkTypes.LinuxSll, tagged).Status);
        Assert.Equal(LinuxSig, DecodeOne(LinkTypes.LinuxSll, tagged, Vlan).RawSig);
    }

    [Fact]
    public void LinuxCookedV2IsAutoDetectedLikeP0fAndDecodedProperlyWithTheOption()
    {
        var p0f = new PacketDecoder(LinkTypes.LinuxSll2);
        Assert.True(p0f.IsAutoDetecting);
        Assert.Equal(-1, p0f.LinkOffset);
        List<DecodedRecord> exact = DecodeRun.DecodeFrames(LinkTypes.LinuxSll2, [Frames.Sll2(Frames.LinuxSyn()), Frames.Sll2(Frames.LinuxSyn6())]);
        Assert.Equal([LinuxSig, LinuxSig6], exact.Select(r => r.RawSig));

        var improved = new PacketDecoder(LinkTypes.LinuxSll2, Vlan);
        Assert.False(improved.IsAutoDetecting);
        Assert.Equal(20, improved.LinkOffset);
        Assert.Equal(LinuxSig, DecodeOne(LinkTypes.LinuxSll2, Frames.Sll2(Frames.LinuxSyn()), Vlan).RawSig);
        byte[] tagged = Frames.Sll2([0x00, 0x2A, 0x86, 0xDD, .. Frames.LinuxSyn6()], protocol: 0x8100);
        Assert.Equal(LinuxSig6, DecodeOne(LinkTypes.LinuxSll2, tagged, Vlan).RawSig);
    }

    [Fact]
    public void LinuxCookedV2CanFoolP0fsDetectorButNotTheOption()
    {
        // ifindex 0x40000000 puts nibble 4 at offset 4 and the address byte at offset 13 is 6:
        // p0f's scan stops at offset 4 and keeps that offset for the whole run.
        byte[] Fooling(byte[] l3)
        {
            byte[] frame = Frames.Sll2(l3, ifIndex: 0x40000000);
            frame[13] = 6;
            return frame;
        }

        List<DecodedRecord> exact = DecodeRun.DecodeFrames(LinkTypes.LinuxSll2, [Fooling(Frames.LinuxSyn()), Frames.Sll2(Frames.LinuxSyn())]);
        Assert.All(exact, r => Assert.NotEqual(DecodeStatus.Ok, r.Status));

        List<DecodedRecord> improved = DecodeRun.DecodeFrames(LinkTypes.LinuxSll2, [Fooling(Frames.LinuxSyn()), Frames.Sll2(Frames.LinuxSyn())], Vlan);
        Assert.All(improved, r => Assert.Equal(LinuxSig, r.RawSig));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(18)]
    [InlineData(38)]
    public void AutoDetectFindsIpv4AtEvenOffsets(int prefix)
    {
        var decoder = new PacketDecoder(147);
        var packet = default(Engine.Packets.DecodedPacket);
        byte[] frame = Frames.Prefix(new byte[prefix], Frames.LinuxSyn());
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(frame, frame.Length, ref packet));
        Assert.Equal(prefix, decoder.LinkOffset);
        Assert.Equal(LinuxSig, RawSig.Format(packet.Fingerprint, packet.Flags));
    }

    [Fact]
    public void AutoDetectFindsIpv6AndNeedsSixtyBytes()
    {
        var decoder = new PacketDecoder(147);
        var packet = default(Engine.Packets.DecodedPacket);
        byte[] frame = Frames.Prefix(new byte[10], Frames.LinuxSyn6());
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(frame, frame.Length, ref packet));
        Assert.Equal(10, decoder.LinkOffset);

        // A 59-byte IPv6 candidate is not accepted by the scan.
        var warnings = new List<string>();
        var short6 = new PacketDecoder(147, null, warnings.Add);
        byte[] tiny = Frames.Ip6("2001:db8::1", "2001:db8::2", new byte[19]);
        Assert.Equal(DecodeStatus.LinkOffsetUnknown, short6.Decode(tiny, tiny.Length, ref packet));
        Assert.Equal(-2, short6.LinkOffset);
        Assert.Equal([PacketDecoder.LinkOffsetWarning], warnings);
    }

    [Fact]
    public void AutoDetectOffsetIsFixedAfterTheFirstSuccess()
    {
        List<DecodedRecord> records = DecodeRun.DecodeFrames(
            147,
            [Frames.Prefix(new byte[6], Frames.LinuxSyn()), Frames.Prefix(new byte[6], Frames.LinuxSyn()), Frames.Prefix(new byte[8], Frames.LinuxSyn())]);
        Assert.Equal(DecodeStatus.Ok, records[0].Status);
        Assert.Equal(DecodeStatus.Ok, records[1].Status);
        Assert.NotEqual(DecodeStatus.Ok, records[2].Status);
    }

    [Fact]
    public void AutoDetectFailureWarnsOnceAndRetriesOnEveryPacket()
    {
        var warnings = new List<string>();
        var decoder = new PacketDecoder(147, null, warnings.Add);
        var packet = default(Engine.Packets.DecodedPacket);

        // Odd prefix: the IP header never sits at an even offset.
        byte[] odd = Frames.Prefix(new byte[3], Frames.LinuxSyn());
        byte[] shortFrame = new byte[30];
        Assert.Equal(DecodeStatus.LinkOffsetUnknown, decoder.Decode(odd, odd.Length, ref packet));
        Assert.Equal(DecodeStatus.LinkOffsetUnknown, decoder.Decode(shortFrame, shortFrame.Length, ref packet));
        Assert.Equal(DecodeStatus.LinkOffsetUnknown, decoder.Decode(odd, odd.Length, ref packet));
        Assert.Equal(-2, decoder.LinkOffset);

        byte[] good = Frames.Prefix(new byte[4], Frames.LinuxSyn());
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(good, good.Length, ref packet));
        Assert.Equal(4, decoder.LinkOffset);

        // Offset 0 of the undetectable frame holds a zero byte: p0f's second warning fires as well.
        Assert.Equal([PacketDecoder.LinkOffsetWarning, "Unknown packet type 0, link detection issue?"], warnings);
    }

    [Fact]
    public void AutoDetectFailureStillParsesFromOffsetZeroLikeP0f()
    {
        // p0f parses the undetectable packet at offset 0; a bad nibble there triggers the second warning too.
        var warnings = new List<string>();
        var decoder = new PacketDecoder(147, null, warnings.Add);
        var packet = default(Engine.Packets.DecodedPacket);
        byte[] frame = Frames.Prefix([0x11, 0x22, 0x33], Frames.LinuxSyn());
        Assert.Equal(DecodeStatus.LinkOffsetUnknown, decoder.Decode(frame, frame.Length, ref packet));
        Assert.Equal([PacketDecoder.LinkOffsetWarning, "Unknown packet type 1, link detection issue?"], warnings);
        Assert.Equal(1, decoder.LastUnknownPacketType);
    }

    [Fact]
    public void AutoDetectVlanQuirkSubtractsFourWhen8100PrecedesTheHeader()
    {
        // Upstream: if the two bytes 4 before the detected header are 81 00, the offset shrinks by 4.
        var decoder = new PacketDecoder(147);
        var packet = default(Engine.Packets.DecodedPacket);
        byte[] frame = Frames.Prefix([0, 0, 0, 0, 0x81, 0x00, 0x00, 0x2A], Frames.LinuxSyn());
        DecodeStatus status = decoder.Decode(frame, frame.Length, ref packet);
        Assert.Equal(4, decoder.LinkOffset);
        Assert.Equal(DecodeStatus.UnknownPacketType, status);
        Assert.Equal(8, decoder.LastUnknownPacketType);
    }

    [Fact]
    public void AutoDetectPrefersIpv6CheckThenIpv4AtTheSameOffset()
    {
        // An IPv4 header whose byte 6 is 6 is still IPv4 (nibble 4); IPv6 is only taken with nibble 6.
        var decoder = new PacketDecoder(147);
        var packet = default(Engine.Packets.DecodedPacket);
        byte[] frame = Frames.Prefix(new byte[2], Frames.LinuxSyn());
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(frame, frame.Length, ref packet));
        Assert.Equal(4, packet.Fingerprint.IpVersion);
        Assert.Equal(2, decoder.LinkOffset);
    }

    [Fact]
    public void UnknownPacketTypeWarnsOncePerDecoder()
    {
        var warnings = new List<string>();
        byte[] arp = Frames.Ether(new byte[60], 0x0806);
        byte[] v5 = Frames.Ether([0x50, .. new byte[59]]);
        List<DecodedRecord> records = DecodeRun.DecodeFrames(LinkTypes.Ethernet, [arp, v5, arp], null, warnings);
        Assert.All(records, r => Assert.Equal(DecodeStatus.UnknownPacketType, r.Status));
        Assert.Equal(["Unknown packet type 0, link detection issue?"], warnings);
    }

    [Fact]
    public void TooShortIsCheckedBeforeThePacketType()
    {
        var warnings = new List<string>();
        DecodedRecord r = DecodeOne(LinkTypes.Ethernet, Frames.Ether(new byte[39], 0x0806), null, warnings);
        Assert.Equal(DecodeStatus.TooShort, r.Status);
        Assert.Empty(warnings);
    }
}
