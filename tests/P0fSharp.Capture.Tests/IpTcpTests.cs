using P0fSharp.Capture.Tests.Support;
using P0fSharp.Engine.Packets;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Capture.Tests;

/// <summary>IPv4/IPv6/TCP header checks in p0f's order, extracted fields and every quirk.</summary>
public sealed class IpTcpTests
{
    private static DecodedRecord Raw(byte[] l3) => DecodeRun.DecodeFrames(LinkTypes.Raw, [l3])[0];

    private static DecodeStatus Status(byte[] l3) => Raw(l3).Status;

    private static TcpQuirks Quirks(byte[] l3)
    {
        DecodedRecord r = Raw(l3);
        Assert.Equal(DecodeStatus.Ok, r.Status);
        return r.Fingerprint.Quirks;
    }

    private static byte[] Syn(byte flags = Frames.Syn, uint seq = 1000, uint ack = 0, byte[]? ackRaw = null, ushort urg = 0, byte reserved = 0, byte[]? options = null) =>
        Frames.Tcp(flags: flags, seq: seq, ack: ack, ackRaw: ackRaw, urg: urg, reserved: reserved, options: options ?? Frames.LinuxOpts());

    [Fact]
    public void Ipv4FieldsAreExtracted()
    {
        byte[] l3 = Frames.Ip4(
            "10.9.8.7",
            "192.0.2.33",
            Frames.Tcp(sport: 51234, dport: 25, seq: 0xDEADBEEF, ack: 0x01020304, flags: Frames.Ack | Frames.Psh, win: 501, payload: "EHLO x\r\n"u8.ToArray(), options: Frames.Opts(Frames.Nop, Frames.Nop, Frames.Ts(77, 88))),
            ttl: 57,
            tos: 0x10 | 0x01,
            ipOptions: [1, 1, 1, 0, 1, 1, 1, 0]);
        DecodedRecord r = Raw(l3);
        Assert.Equal(DecodeStatus.Ok, r.Status);
        Assert.Equal("10.9.8.7", r.Source);
        Assert.Equal("192.0.2.33", r.Destination);
        Assert.Equal(51234, r.SourcePort);
        Assert.Equal(25, r.DestinationPort);
        Assert.Equal(0xDEADBEEF, r.Sequence);
        Assert.Equal(0x01020304u, r.Acknowledgement);
        Assert.Equal(TcpFlags.Ack | TcpFlags.Psh, r.Flags);
        Assert.Equal("EHLO x\r\n"u8.ToArray(), r.Payload);

        TcpFingerprint fp = r.Fingerprint;
        Assert.Equal(4, fp.IpVersion);
        Assert.Equal(57, fp.Ttl);
        Assert.Equal(8, fp.IpOptionLength);
        Assert.Equal(4, fp.Tos);
        Assert.Equal(501, fp.Window);
        Assert.Equal(77u, fp.Ts1);
        Assert.Equal(28 + 32, fp.TotalHeaderLength);
        Assert.True(fp.HasPayload);
        Assert.Equal(TcpQuirks.Df | TcpQuirks.IdPlus | TcpQuirks.Ecn | TcpQuirks.PushfPlus, fp.Quirks);
        Assert.Equal("nop,nop,ts", RawSig.Layout(fp));
    }

    [Fact]
    public void Ipv6FieldsAreExtracted()
    {
        byte[] l3 = Frames.Ip6("2001:db8::a", "2001:db8:1::b", Frames.Tcp(sport: 1, dport: 2, options: Frames.LinuxOpts(1440)), hopLimit: 50, flow: 0xABCDE, trafficClass: 0x11);
        DecodedRecord r = Raw(l3);
        Assert.Equal(DecodeStatus.Ok, r.Status);
        Assert.Equal("2001:db8:0:0:0:0:0:a", r.Source);
        Assert.Equal("2001:db8:1:0:0:0:0:b", r.Destination);
        TcpFingerprint fp = r.Fingerprint;
        Assert.Equal(6, fp.IpVersion);
        Assert.Equal(50, fp.Ttl);
        Assert.Equal(0, fp.IpOptionLength);
        Assert.Equal(4, fp.Tos);
        Assert.Equal(40 + 40, fp.TotalHeaderLength);
        Assert.Equal(TcpQuirks.Flow | TcpQuirks.Ecn, fp.Quirks);
        Assert.Equal(1440, fp.Mss);
        Assert.Equal(7, fp.WindowScale);
    }

    [Fact]
    public void Ipv4ChecksRunInP0fsOrder()
    {
        byte[] seg = Syn();

        // Total length under 40 -> too short (even with a bad IHL).
        Assert.Equal(DecodeStatus.TooShort, Status(Frames.Ip4(Frames.Client, Frames.Server, seg, totalLength: 39, ihlWords: 2)));

        // Fewer than 40 captured bytes.
        Assert.Equal(DecodeStatus.TooShort, Status(Frames.Ip4(Frames.Client, Frames.Server, seg)[..39]));

        // IHL below 5.
        Assert.Equal(DecodeStatus.BadIpHeader, Status(Frames.Ip4(Frames.Client, Frames.Server, seg, ihlWords: 4)));

        // Total length claims more than captured (checked before the IHL-vs-length test).
        Assert.Equal(DecodeStatus.IpTruncated, Status(Frames.Ip4(Frames.Client, Frames.Server, seg, totalLength: 20 + seg.Length + 1, ihlWords: 15)));

        // IHL leaves no room for a TCP header.
        Assert.Equal(DecodeStatus.BadIpHeader, Status(Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(), ihlWords: 15)));

        // Protocol before fragment: a UDP fragment is NotTcp.
        Assert.Equal(DecodeStatus.NotTcp, Status(Frames.Ip4(Frames.Client, Frames.Server, seg, protocol: 17, mf: true)));

        Assert.Equal(DecodeStatus.Fragment, Status(Frames.Ip4(Frames.Client, Frames.Server, seg, mf: true)));
        Assert.Equal(DecodeStatus.Fragment, Status(Frames.Ip4(Frames.Client, Frames.Server, seg, fragmentOffset: 1)));
        Assert.Equal(DecodeStatus.Ok, Status(Frames.Ip4(Frames.Client, Frames.Server, seg, df: true, mbz: true)));
    }

    [Fact]
    public void Ipv4TotalLengthTrimsTrailingBytes()
    {
        byte[] l3 = [.. Frames.LinuxSyn(), 0xDE, 0xAD, 0xBE, 0xEF];
        DecodedRecord r = Raw(l3);
        Assert.Equal(DecodeStatus.Ok, r.Status);
        Assert.Empty(r.Payload);
        Assert.False(r.Fingerprint.HasPayload);
    }

    [Fact]
    public void Ipv6ChecksRunInP0fsOrder()
    {
        byte[] seg = Syn();
        Assert.Equal(DecodeStatus.TooShort, Status(Frames.Ip6("::1", "::2", Frames.Tcp())[..59]));

        // Payload length under 20: clamped below 60 bytes.
        Assert.Equal(DecodeStatus.TooShort, Status(Frames.Ip6("::1", "::2", seg, payloadLength: 19)));
        Assert.Equal(DecodeStatus.IpTruncated, Status(Frames.Ip6("::1", "::2", seg, payloadLength: seg.Length + 1)));

        // Extension headers are never walked.
        Assert.Equal(DecodeStatus.NotTcp, Status(Frames.Ip6("::1", "::2", seg, nextHeader: 0)));
        Assert.Equal(DecodeStatus.NotTcp, Status(Frames.Ip6("::1", "::2", seg, nextHeader: 17)));

        DecodedRecord trimmed = Raw([.. Frames.Ip6("::1", "::2", seg), 1, 2, 3]);
        Assert.Equal(DecodeStatus.Ok, trimmed.Status);
        Assert.Empty(trimmed.Payload);
    }

    [Fact]
    public void TcpHeaderLengthIsChecked()
    {
        Assert.Equal(DecodeStatus.BadTcpHeader, Status(Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(options: Frames.LinuxOpts(), doff: 4))));
        Assert.Equal(DecodeStatus.BadTcpHeader, Status(Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(options: Frames.LinuxOpts(), doff: 11))));
        Assert.Equal(DecodeStatus.BadTcpHeader, Status(Frames.Ip6("::1", "::2", Frames.Tcp(doff: 15))));
        Assert.Equal(DecodeStatus.Ok, Status(Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(options: Frames.LinuxOpts(), doff: 10))));
    }

    [Theory]
    [InlineData(Frames.Syn | Frames.Fin, false)]
    [InlineData(Frames.Syn | Frames.Rst, false)]
    [InlineData(Frames.Fin | Frames.Rst, false)]
    [InlineData(Frames.Fin | Frames.Rst | Frames.Ack, false)]
    [InlineData(0, false)]
    [InlineData(Frames.Urg | Frames.Psh | Frames.Ece | Frames.Cwr, false)]
    [InlineData(Frames.Syn, true)]
    [InlineData(Frames.Syn | Frames.Ack, true)]
    [InlineData(Frames.Syn | Frames.Psh | Frames.Urg, true)]
    [InlineData(Frames.Ack, true)]
    [InlineData(Frames.Ack | Frames.Psh, true)]
    [InlineData(Frames.Fin, true)]
    [InlineData(Frames.Fin | Frames.Ack, true)]
    [InlineData(Frames.Rst, true)]
    [InlineData(Frames.Rst | Frames.Ack, true)]
    public void TcpFlagCombinations(byte flags, bool accepted)
    {
        DecodeStatus status = Status(Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(flags: flags)));
        Assert.Equal(accepted ? DecodeStatus.Ok : DecodeStatus.BadTcpFlags, status);
    }

    [Fact]
    public void IpQuirks()
    {
        byte[] seg = Syn();
        Assert.Equal(TcpQuirks.Df | TcpQuirks.IdPlus, Quirks(Frames.Ip4(Frames.Client, Frames.Server, seg)));
        Assert.Equal(TcpQuirks.Df, Quirks(Frames.Ip4(Frames.Client, Frames.Server, seg, id: 0)));
        Assert.Equal(TcpQuirks.IdMinus, Quirks(Frames.Ip4(Frames.Client, Frames.Server, seg, df: false, id: 0)));
        Assert.Equal(TcpQuirks.None, Quirks(Frames.Ip4(Frames.Client, Frames.Server, seg, df: false, id: 1)));
        Assert.Equal(TcpQuirks.Df | TcpQuirks.IdPlus | TcpQuirks.ZeroPlus, Quirks(Frames.Ip4(Frames.Client, Frames.Server, seg, mbz: true)));
        Assert.Equal(TcpQuirks.Df | TcpQuirks.IdPlus | TcpQuirks.Ecn, Quirks(Frames.Ip4(Frames.Client, Frames.Server, seg, tos: 0x01)));
        Assert.Equal(TcpQuirks.Df | TcpQuirks.IdPlus | TcpQuirks.Ecn, Quirks(Frames.Ip4(Frames.Client, Frames.Server, seg, tos: 0x02)));
        Assert.Equal(TcpQuirks.Df | TcpQuirks.IdPlus, Quirks(Frames.Ip4(Frames.Client, Frames.Server, seg, tos: 0xFC)));
        Assert.Equal(63, Raw(Frames.Ip4(Frames.Client, Frames.Server, seg, tos: 0xFC)).Fingerprint.Tos);

        Assert.Equal(TcpQuirks.None, Quirks(Frames.Ip6("::1", "::2", seg)));
        Assert.Equal(TcpQuirks.Flow, Quirks(Frames.Ip6("::1", "::2", seg, flow: 1)));
        Assert.Equal(TcpQuirks.Ecn, Quirks(Frames.Ip6("::1", "::2", seg, trafficClass: 0x02)));
        Assert.Equal(TcpQuirks.None, Quirks(Frames.Ip6("::1", "::2", seg, trafficClass: 0xFC)));
        Assert.Equal(63, Raw(Frames.Ip6("::1", "::2", seg, trafficClass: 0xFC)).Fingerprint.Tos);
    }

    [Fact]
    public void TcpEcnQuirkFromEceCwrAndNs()
    {
        TcpQuirks baseline = TcpQuirks.Df | TcpQuirks.IdPlus;
        Assert.Equal(baseline | TcpQuirks.Ecn, Quirks(Frames.Ip4(Frames.Client, Frames.Server, Syn(Frames.Syn | Frames.Ece))));
        Assert.Equal(baseline | TcpQuirks.Ecn, Quirks(Frames.Ip4(Frames.Client, Frames.Server, Syn(Frames.Syn | Frames.Cwr))));
        Assert.Equal(baseline | TcpQuirks.Ecn, Quirks(Frames.Ip4(Frames.Client, Frames.Server, Syn(reserved: 1))));

        // The other three reserved bits do not count.
        Assert.Equal(baseline, Quirks(Frames.Ip4(Frames.Client, Frames.Server, Syn(reserved: 0x0E))));
    }

    [Fact]
    public void SequenceAndAcknowledgementQuirks()
    {
        TcpQuirks baseline = TcpQuirks.Df | TcpQuirks.IdPlus;
        byte[] Ip(byte[] seg) => Frames.Ip4(Frames.Client, Frames.Server, seg);

        Assert.Equal(baseline | TcpQuirks.SeqMinus, Quirks(Ip(Syn(seq: 0))));

        // ack+ is bit 0 of the ack field loaded in host (little-endian) order: the first wire byte.
        Assert.Equal(baseline | TcpQuirks.AckPlus, Quirks(Ip(Syn(ackRaw: [0x01, 0, 0, 0]))));
        Assert.Equal(baseline | TcpQuirks.AckPlus, Quirks(Ip(Syn(ackRaw: [0x7F, 0x12, 0x34, 0x56]))));
        Assert.Equal(baseline, Quirks(Ip(Syn(ackRaw: [0, 0, 0, 0x01]))));
        Assert.Equal(baseline, Quirks(Ip(Syn(ackRaw: [0x02, 0, 0, 0]))));
        Assert.Equal(baseline, Quirks(Ip(Syn(ackRaw: [0xFE, 0xFF, 0xFF, 0xFF]))));

        // Not on RST, not when ACK is set.
        Assert.Equal(baseline, Quirks(Ip(Frames.Tcp(flags: Frames.Rst, ackRaw: [1, 0, 0, 0]))));
        Assert.Equal(baseline, Quirks(Ip(Frames.Tcp(flags: Frames.Ack, ackRaw: [1, 0, 0, 0]))));
        Assert.Equal(baseline | TcpQuirks.AckPlus, Quirks(Ip(Frames.Tcp(flags: Frames.Fin, ackRaw: [3, 0, 0, 0]))));

        // ack- : ACK flag with a zero ack number.
        Assert.Equal(baseline | TcpQuirks.AckMinus, Quirks(Ip(Syn(Frames.Syn | Frames.Ack, ack: 0))));
        Assert.Equal(baseline | TcpQuirks.AckMinus, Quirks(Ip(Frames.Tcp(flags: Frames.Rst | Frames.Ack))));
        Assert.Equal(baseline, Quirks(Ip(Syn(Frames.Syn | Frames.Ack, ack: 5))));
    }

    [Fact]
    public void UrgentAndPushQuirks()
    {
        TcpQuirks baseline = TcpQuirks.Df | TcpQuirks.IdPlus;
        byte[] Ip(byte[] seg) => Frames.Ip4(Frames.Client, Frames.Server, seg);
        Assert.Equal(baseline | TcpQuirks.UptrPlus, Quirks(Ip(Syn(urg: 5))));
        Assert.Equal(baseline | TcpQuirks.UptrPlus, Quirks(Ip(Syn(urg: 0x0100))));
        Assert.Equal(baseline | TcpQuirks.UrgfPlus, Quirks(Ip(Syn(Frames.Syn | Frames.Urg, urg: 5))));
        Assert.Equal(baseline | TcpQuirks.UrgfPlus, Quirks(Ip(Syn(Frames.Syn | Frames.Urg))));
        Assert.Equal(baseline | TcpQuirks.PushfPlus, Quirks(Ip(Syn(Frames.Syn | Frames.Psh))));
    }

    [Fact]
    public void UsableLengthIsTheSmallerOfWireAndCapturedLengths()
    {
        byte[] frame = Frames.Ether(Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(flags: Frames.Ack, payload: new byte[100])));
        var decoder = new PacketDecoder(LinkTypes.Ethernet);
        var packet = default(DecodedPacket);

        Assert.Equal(DecodeStatus.Ok, decoder.Decode(frame, frame.Length, ref packet));
        Assert.Equal(100, packet.Payload.Length);
        Assert.True(packet.Payload.Overlaps(frame));

        // Wire length larger than captured (snaplen cut): the IP total length is not covered -> dropped.
        Assert.Equal(DecodeStatus.IpTruncated, decoder.Decode(frame.AsSpan(0, 80), frame.Length, ref packet));

        // Wire length smaller than captured bytes (odd, but p0f takes the minimum).
        Assert.Equal(DecodeStatus.IpTruncated, decoder.Decode(frame, frame.Length - 1, ref packet));
        Assert.Equal(DecodeStatus.TooShort, decoder.Decode(frame, 20, ref packet));
        Assert.Equal(DecodeStatus.TooShort, decoder.Decode(frame, -5, ref packet));
    }

    [Fact]
    public void UsableLengthIsCappedAt65535()
    {
        // IPv6 jumbo-ish packet: 40 + 65535 bytes. Capped at SNAPLEN the IP length is not covered.
        byte[] segment = Frames.Tcp(flags: Frames.Ack, payload: new byte[65535 - 20]);
        byte[] l3 = Frames.Ip6("::1", "::2", segment);
        Assert.Equal(65575, l3.Length);
        Assert.Equal(DecodeStatus.IpTruncated, Raw(l3).Status);

        byte[] fits = Frames.Ip6("::1", "::2", Frames.Tcp(flags: Frames.Ack, payload: new byte[65535 - 40 - 20]));
        DecodedRecord r = Raw(fits);
        Assert.Equal(DecodeStatus.Ok, r.Status);
        Assert.Equal(65535 - 60, r.Payload.Length);
    }

    [Fact]
    public void FingerprintIsFullyResetBetweenPackets()
    {
        var decoder = new PacketDecoder(LinkTypes.Raw);
        var packet = default(DecodedPacket);
        byte[] rich = Frames.Ip4(Frames.Client, Frames.Server, Syn(options: Frames.Opts(Frames.Mss(1460), Frames.Ws(9), Frames.Ts(5, 6), Frames.Eol, [0, 0, 7])), mbz: true);
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(rich, rich.Length, ref packet));
        byte[] plain = Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(flags: Frames.Ack, ack: 5), df: false, id: 9);
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(plain, plain.Length, ref packet));
        TcpFingerprint fp = packet.Fingerprint;
        Assert.Equal(0, fp.Layout.Count);
        Assert.Equal(0, fp.Mss);
        Assert.Equal(0, fp.WindowScale);
        Assert.Equal(0u, fp.Ts1);
        Assert.Equal(0, fp.EolPadding);
        Assert.Equal(TcpQuirks.None, fp.Quirks);
        Assert.False(fp.HasPayload);
        Assert.True(packet.Payload.IsEmpty);
    }
}
