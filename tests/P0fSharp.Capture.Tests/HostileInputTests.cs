using P0fSharp.Capture.Tests.Support;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Capture.Tests;

/// <summary>Truncated, inconsistent and random frames: the decoder never throws or reads out of bounds.</summary>
public sealed class HostileInputTests
{
    private static readonly int[] LinkTypeSet =
    [
        LinkTypes.Ethernet, LinkTypes.LinuxSll, LinkTypes.LinuxSll2, LinkTypes.Raw, LinkTypes.Null,
        LinkTypes.Loop, LinkTypes.Pflog, LinkTypes.Ieee80211, 147,
    ];

    private static readonly DecoderOptions[] OptionSet = [DecoderOptions.P0fCompatible, new() { DecodeVlan = true }];

    private static IEnumerable<byte[]> Templates()
    {
        byte[] withPayload = Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(flags: Frames.Ack | Frames.Psh, options: Frames.LinuxOpts(), payload: "GET / HTTP/1.1\r\n\r\n"u8.ToArray()), ipOptions: [1, 1, 1, 0]);
        byte[] v6 = Frames.Ip6("2001:db8::1", "2001:db8::2", Frames.Tcp(options: Frames.Opts(Frames.Mss(1220), Frames.Nop, Frames.Ws(3), Frames.Sok(), Frames.Ts(5, 6), Frames.Eol, [0, 0, 7]), payload: [1, 2, 3]));
        yield return Frames.Ether(withPayload);
        yield return Frames.Ether(v6);
        yield return Frames.EtherTagged(withPayload, 0x0123, 0x88A8, 0x8100);
        yield return Frames.Sll(v6);
        yield return Frames.Sll2(withPayload);
        yield return withPayload;
        yield return Frames.Prefix([0, 0, 0, 2], v6);
    }

    private static void AssertSane(DecodeStatus status, in DecodedPacket packet, ReadOnlySpan<byte> frame)
    {
        Assert.True(Enum.IsDefined(status));
        if (status != DecodeStatus.Ok)
        {
            return;
        }

        Assert.True(packet.Payload.IsEmpty || packet.Payload.Overlaps(frame));
        Assert.True(packet.Fingerprint.Layout.Count <= 24);
        Assert.True(packet.Fingerprint.IpVersion is 4 or 6);
        Assert.True(packet.Fingerprint.TotalHeaderLength + packet.Payload.Length <= frame.Length);
        Assert.Equal(packet.Fingerprint.HasPayload, !packet.Payload.IsEmpty);
    }

    [Fact]
    public void TruncationAtEveryLengthIsHandled()
    {
        int ok = 0;
        foreach (byte[] template in Templates())
        {
            foreach (int linkType in LinkTypeSet)
            {
                foreach (DecoderOptions options in OptionSet)
                {
                    for (int length = 0; length <= template.Length; length++)
                    {
                        ReadOnlySpan<byte> cut = template.AsSpan(0, length);
                        foreach (int wire in new[] { length, template.Length, int.MaxValue, length / 2 })
                        {
                            var decoder = new PacketDecoder(linkType, options);
                            var packet = default(DecodedPacket);
                            DecodeStatus status = decoder.Decode(cut, wire, ref packet);
                            AssertSane(status, packet, cut);
                            if (status == DecodeStatus.Ok)
                            {
                                ok++;
                            }
                        }
                    }
                }
            }
        }

        Assert.True(ok > 0);
    }

    [Fact]
    public void HeaderLengthsPointingPastTheEndAreRejected()
    {
        byte[] minimal = Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp());
        for (int ihl = 0; ihl < 16; ihl++)
        {
            byte[] frame = (byte[])minimal.Clone();
            frame[0] = (byte)(0x40 | ihl);
            var packet = default(DecodedPacket);
            DecodeStatus status = new PacketDecoder(LinkTypes.Raw).Decode(frame, frame.Length, ref packet);
            Assert.Equal(ihl == 5 ? DecodeStatus.Ok : DecodeStatus.BadIpHeader, status);
        }

        for (int doff = 0; doff < 16; doff++)
        {
            byte[] frame = (byte[])minimal.Clone();
            frame[20 + 12] = (byte)(doff << 4);
            var packet = default(DecodedPacket);
            DecodeStatus status = new PacketDecoder(LinkTypes.Raw).Decode(frame, frame.Length, ref packet);
            Assert.Equal(doff == 5 ? DecodeStatus.Ok : DecodeStatus.BadTcpHeader, status);
        }
    }

    [Fact]
    public void TwoHundredThousandRandomFramesNeverThrow()
    {
        var random = new Random(0x0F0F);
        byte[][] templates = [.. Templates()];
        var buffer = new byte[256];
        int[] statusCounts = new int[Enum.GetValues<DecodeStatus>().Length];
        PacketDecoder decoder = new(LinkTypes.Ethernet);

        for (int i = 0; i < 200_000; i++)
        {
            if (i % 64 == 0)
            {
                decoder = new PacketDecoder(LinkTypeSet[random.Next(LinkTypeSet.Length)], OptionSet[random.Next(2)]);
            }

            int length;
            switch (i % 3)
            {
                case 0:
                    length = random.Next(buffer.Length + 1);
                    random.NextBytes(buffer.AsSpan(0, length));
                    break;
                case 1:
                    {
                        byte[] t = templates[random.Next(templates.Length)];
                        length = random.Next(t.Length + 1);
                        t.AsSpan(0, length).CopyTo(buffer);
                        for (int m = random.Next(1, 9); m > 0 && length > 0; m--)
                        {
                            buffer[random.Next(length)] = (byte)random.Next(256);
                        }

                        break;
                    }

                default:
                    {
                        // Valid IPv4/TCP headers with random option bytes and random header-length fields.
                        byte[] t = templates[5];
                        length = t.Length;
                        t.CopyTo(buffer, 0);
                        random.NextBytes(buffer.AsSpan(44, 20));
                        if (random.Next(4) == 0)
                        {
                            buffer[0] = (byte)(0x40 | random.Next(16));
                        }

                        if (random.Next(4) == 0)
                        {
                            buffer[24 + 12] = (byte)(random.Next(16) << 4);
                        }

                        if (random.Next(4) == 0)
                        {
                            buffer[2] = (byte)random.Next(256);
                            buffer[3] = (byte)random.Next(256);
                        }

                        break;
                    }
            }

            ReadOnlySpan<byte> frame = buffer.AsSpan(0, length);
            int wire = random.Next(4) == 0 ? random.Next(-10, 70000) : length;
            var packet = default(DecodedPacket);
            DecodeStatus status = decoder.Decode(frame, wire, ref packet);
            AssertSane(status, packet, frame);
            statusCounts[(int)status]++;
        }

        // The generator reaches accepted packets and most drop reasons.
        Assert.True(statusCounts[(int)DecodeStatus.Ok] > 1000, "Ok=" + statusCounts[(int)DecodeStatus.Ok]);
        Assert.True(statusCounts.Count(c => c > 0) >= 8, string.Join(",", statusCounts));
    }
}
