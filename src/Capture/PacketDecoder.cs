using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using P0fSharp.Engine.Packets;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Capture;

/// <summary>
/// Turns one captured frame into a <see cref="DecodedPacket"/> exactly the way p0f 3.09b's
/// <c>parse_packet()</c> does (spec §2.1–§2.5): link offset per datalink type (fixed, or
/// auto-detected once per capture), IPv4/IPv6 sanity checks in p0f's order, TCP header and
/// flag rules, quirks (including the <c>ack+</c> byte-order accident) and the TCP option walk
/// (including every abort rule, the <c>opt+</c> blind spot and the 24-option cap).
/// </summary>
/// <remarks>
/// Allocation-free per packet. Not thread-safe: one instance per capture, used by the
/// capture thread only (it keeps p0f's per-run state: the detected link offset and the two
/// once-only warnings).
/// </remarks>
public sealed class PacketDecoder
{
    /// <summary>p0f's SNAPLEN: the usable length of a packet is capped at this.</summary>
    public const int SnapLength = 65535;

    /// <summary>Text of p0f's once-only warning when link auto-detection fails (without the <c>[!] WARNING: </c> prefix).</summary>
    public const string LinkOffsetWarning = "Unable to find link-specific packet offset. This is bad.";

    private const int MinTcp4 = 40;
    private const int MinTcp6 = 60;
    private const int Ipv6HeaderLength = 40;
    private const int TcpHeaderLength = 20;
    private const byte ProtoTcp = 6;
    private const ushort Ip4FlagDf = 0x4000;
    private const ushort Ip4FlagMbz = 0x8000;
    private const byte FlagFin = 0x01;
    private const byte FlagSyn = 0x02;
    private const byte FlagRst = 0x04;
    private const byte FlagPsh = 0x08;
    private const byte FlagAck = 0x10;
    private const byte FlagUrg = 0x20;
    private const byte FlagEceCwr = 0xC0;
    private const byte TcpNsBit = 0x01;

    private const int AutoUndetermined = -1;
    private const int AutoFailed = -2;

    private readonly LinkMode _mode;
    private readonly Action<string>? _warning;

    // p0f's link_off: >= 0 fixed; -1 not determined yet; -2 auto-detection failed so far.
    private int _linkOffset;

    // p0f's bad_packets: the "Unknown packet type" warning was printed.
    private bool _unknownTypeWarned;

    /// <summary>Creates a decoder for a libpcap datalink type (see <see cref="LinkTypes"/>).</summary>
    /// <param name="linkType">Value of <c>pcap_datalink()</c> for the capture.</param>
    /// <param name="options">Decoder switches; null means p0f-exact.</param>
    /// <param name="warning">
    /// Receives p0f's two once-per-run warnings (text without the <c>[!] WARNING: </c> prefix).
    /// Called on the decoding thread.
    /// </param>
    public PacketDecoder(int linkType, DecoderOptions? options = null, Action<string>? warning = null)
    {
        LinkType = linkType;
        Options = options ?? DecoderOptions.P0fCompatible;
        _warning = warning;

        bool vlan = Options.DecodeVlan;
        if (vlan && linkType == LinkTypes.Ethernet)
        {
            _mode = LinkMode.TaggedEthernet;
            _linkOffset = 14;
        }
        else if (vlan && linkType == LinkTypes.LinuxSll)
        {
            _mode = LinkMode.TaggedSll;
            _linkOffset = 16;
        }
        else if (vlan && linkType == LinkTypes.LinuxSll2)
        {
            _mode = LinkMode.TaggedSll2;
            _linkOffset = 20;
        }
        else
        {
            int fixedOffset = LinkTypes.FixedOffset(linkType);
            _mode = fixedOffset >= 0 ? LinkMode.Fixed : LinkMode.AutoDetect;
            _linkOffset = fixedOffset >= 0 ? fixedOffset : AutoUndetermined;
        }
    }

    private enum LinkMode : byte
    {
        Fixed,
        AutoDetect,
        TaggedEthernet,
        TaggedSll,
        TaggedSll2,
    }

    /// <summary>The datalink type this decoder was built for.</summary>
    public int LinkType { get; }

    /// <summary>The options in effect.</summary>
    public DecoderOptions Options { get; }

    /// <summary>True when the link offset is found by p0f's auto-detection (unknown datalink type).</summary>
    public bool IsAutoDetecting => _mode == LinkMode.AutoDetect;

    /// <summary>
    /// The link-header length in use: the fixed or detected offset; -1 while auto-detection
    /// has not run yet, -2 after it failed (it is retried on every packet until it succeeds).
    /// With <see cref="DecoderOptions.DecodeVlan"/> on Ethernet/SLL/SLL2 this is the untagged
    /// header length; each tag adds 4 bytes for that packet.
    /// </summary>
    public int LinkOffset => _linkOffset;

    /// <summary>The version nibble of the last packet dropped as <see cref="DecodeStatus.UnknownPacketType"/>.</summary>
    public byte LastUnknownPacketType { get; private set; }

    /// <summary>
    /// Decodes one frame. <paramref name="frame"/> is the captured bytes (caplen),
    /// <paramref name="wireLength"/> the original length; the usable length is the smaller
    /// of the two, capped at 65535. On <see cref="DecodeStatus.Ok"/> every field of
    /// <paramref name="packet"/> is set and <see cref="DecodedPacket.Payload"/> is a slice of
    /// <paramref name="frame"/>; on any other status the contents of <paramref name="packet"/>
    /// are unspecified.
    /// </summary>
    public DecodeStatus Decode(ReadOnlySpan<byte> frame, int wireLength, ref DecodedPacket packet)
    {
        int length = wireLength < frame.Length ? wireLength : frame.Length;
        if (length > SnapLength)
        {
            length = SnapLength;
        }

        if (length < 0)
        {
            length = 0;
        }

        frame = frame[..length];

        int offset;
        bool detectionFailed = false;
        switch (_mode)
        {
            case LinkMode.Fixed:
                offset = _linkOffset;
                break;
            case LinkMode.AutoDetect:
                if (_linkOffset < 0)
                {
                    FindOffset(frame);
                }

                if (_linkOffset < 0)
                {
                    // p0f parses the packet from offset 0 and tries again on the next one.
                    detectionFailed = true;
                    offset = 0;
                }
                else
                {
                    offset = _linkOffset;
                }

                break;
            case LinkMode.TaggedEthernet:
                offset = SkipVlanTags(frame, 12, 14);
                break;
            case LinkMode.TaggedSll:
                offset = SkipVlanTags(frame, 14, 16);
                break;
            default:
                offset = SkipVlanTags(frame, 0, 20);
                break;
        }

        DecodeStatus status = DecodeNetwork(frame, offset, ref packet);
        if (detectionFailed && status != DecodeStatus.Ok)
        {
            status = DecodeStatus.LinkOffsetUnknown;
        }

        return status;
    }

    /// <summary>
    /// Walks 802.1Q / 802.1ad tags after an EtherType-like protocol field at
    /// <paramref name="protocolOffset"/>; returns where the network header starts.
    /// </summary>
    private static int SkipVlanTags(ReadOnlySpan<byte> frame, int protocolOffset, int headerLength)
    {
        if (frame.Length < headerLength)
        {
            return headerLength;
        }

        int offset = headerLength;
        ushort protocol = BinaryPrimitives.ReadUInt16BigEndian(frame[protocolOffset..]);
        while ((protocol == 0x8100 || protocol == 0x88A8 || protocol == 0x9100) && offset + 4 <= frame.Length)
        {
            protocol = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            offset += 4;
        }

        return offset;
    }

    /// <summary>p0f's <c>find_offset()</c> heuristic for datalink types it does not know.</summary>
    private void FindOffset(ReadOnlySpan<byte> frame)
    {
        int total = frame.Length;
        int found = -1;
        for (int i = 0; i < 40; i += 2, total -= 2)
        {
            if (total < MinTcp4)
            {
                break;
            }

            int version = frame[i] >> 4;
            if (total >= MinTcp6 && version == 6 && frame[i + 6] == ProtoTcp)
            {
                found = i;
                break;
            }

            if (version == 4 && frame[i + 9] == ProtoTcp)
            {
                found = i;
                break;
            }
        }

        if (found >= 0)
        {
            _linkOffset = found;

            // Upstream "VLAN adjustment": looks 4 bytes before the detected header.
            if (found >= 4 && frame[found - 4] == 0x81 && frame[found - 3] == 0x00)
            {
                _linkOffset = found - 4;
            }
        }
        else if (_linkOffset == AutoUndetermined)
        {
            _linkOffset = AutoFailed;
            _warning?.Invoke(LinkOffsetWarning);
        }
    }

    private DecodeStatus DecodeNetwork(ReadOnlySpan<byte> frame, int offset, ref DecodedPacket packet)
    {
        int length = frame.Length - offset;
        if (length < MinTcp4)
        {
            return DecodeStatus.TooShort;
        }

        ReadOnlySpan<byte> ip = frame.Slice(offset, length);
        ref TcpFingerprint fp = ref packet.Fingerprint;
        TcpQuirks quirks = TcpQuirks.None;
        int ipHeaderLength;
        int version = ip[0] >> 4;

        if (version == 4)
        {
            ipHeaderLength = (ip[0] & 0x0F) * 4;
            ushort flagsOffset = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
            ushort totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);

            // Honour a shorter IP total length (Ethernet trailer padding).
            if (length > totalLength)
            {
                length = totalLength;
            }

            if (length < MinTcp4)
            {
                return DecodeStatus.TooShort;
            }

            if (ipHeaderLength < 20)
            {
                return DecodeStatus.BadIpHeader;
            }

            if (totalLength > length)
            {
                return DecodeStatus.IpTruncated;
            }

            if (ipHeaderLength + TcpHeaderLength > length)
            {
                return DecodeStatus.BadIpHeader;
            }

            if (ip[9] != ProtoTcp)
            {
                return DecodeStatus.NotTcp;
            }

            if ((flagsOffset & ~(Ip4FlagDf | Ip4FlagMbz)) != 0)
            {
                return DecodeStatus.Fragment;
            }

            fp.IpVersion = 4;
            fp.IpOptionLength = (byte)(ipHeaderLength - 20);
            fp.Tos = (byte)(ip[1] >> 2);
            fp.Ttl = ip[8];
            packet.Source = HostAddress.FromIPv4(ip.Slice(12, 4));
            packet.Destination = HostAddress.FromIPv4(ip.Slice(16, 4));

            if ((ip[1] & 0x03) != 0)
            {
                quirks |= TcpQuirks.Ecn;
            }

            if ((flagsOffset & Ip4FlagMbz) != 0)
            {
                quirks |= TcpQuirks.ZeroPlus;
            }

            bool idNonZero = ip[4] != 0 || ip[5] != 0;
            if ((flagsOffset & Ip4FlagDf) != 0)
            {
                quirks |= TcpQuirks.Df;
                if (idNonZero)
                {
                    quirks |= TcpQuirks.IdPlus;
                }
            }
            else if (!idNonZero)
            {
                quirks |= TcpQuirks.IdMinus;
            }
        }
        else if (version == 6)
        {
            uint versionClassFlow = BinaryPrimitives.ReadUInt32BigEndian(ip);
            int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]) + Ipv6HeaderLength;

            if (length > totalLength)
            {
                length = totalLength;
            }

            if (length < MinTcp6)
            {
                return DecodeStatus.TooShort;
            }

            if (totalLength > length)
            {
                return DecodeStatus.IpTruncated;
            }

            if (ip[6] != ProtoTcp)
            {
                return DecodeStatus.NotTcp;
            }

            ipHeaderLength = Ipv6HeaderLength;
            fp.IpVersion = 6;
            fp.IpOptionLength = 0;
            fp.Tos = (byte)((versionClassFlow >> 22) & 0x3F);
            fp.Ttl = ip[7];
            packet.Source = HostAddress.FromIPv6(ip.Slice(8, 16));
            packet.Destination = HostAddress.FromIPv6(ip.Slice(24, 16));

            if ((versionClassFlow & 0xFFFFF) != 0)
            {
                quirks |= TcpQuirks.Flow;
            }

            if (((versionClassFlow >> 20) & 0x03) != 0)
            {
                quirks |= TcpQuirks.Ecn;
            }
        }
        else
        {
            LastUnknownPacketType = (byte)version;
            if (!_unknownTypeWarned)
            {
                _unknownTypeWarned = true;
                _warning?.Invoke(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Unknown packet type {version}, link detection issue?"));
            }

            return DecodeStatus.UnknownPacketType;
        }

        // TCP header: 'tcp' spans the rest of the (length-clamped) IP packet.
        ReadOnlySpan<byte> tcp = ip[ipHeaderLength..length];
        int dataOffset = (tcp[12] >> 4) * 4;
        if (dataOffset < TcpHeaderLength || dataOffset > tcp.Length)
        {
            return DecodeStatus.BadTcpHeader;
        }

        byte flags = tcp[13];
        int type = flags & (FlagSyn | FlagAck | FlagFin | FlagRst);
        if (((flags & FlagSyn) != 0 && (flags & (FlagFin | FlagRst)) != 0)
            || ((flags & FlagFin) != 0 && (flags & FlagRst) != 0)
            || type == 0)
        {
            return DecodeStatus.BadTcpFlags;
        }

        uint sequence = BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]);
        uint acknowledgement = BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]);

        if ((flags & FlagEceCwr) != 0 || (tcp[12] & TcpNsBit) != 0)
        {
            quirks |= TcpQuirks.Ecn;
        }

        if (sequence == 0)
        {
            quirks |= TcpQuirks.SeqMinus;
        }

        if ((flags & FlagAck) != 0)
        {
            if (acknowledgement == 0)
            {
                quirks |= TcpQuirks.AckMinus;
            }
        }
        else if ((flags & FlagRst) == 0 && (MemoryMarshal.Read<uint>(tcp.Slice(8, 4)) & 1) != 0)
        {
            // Upstream tests bit 0 of the ack field loaded in host byte order
            // (RD32(ack) & !(flags & RST)): on little-endian hosts that is bit 0 of the
            // first ack byte on the wire.
            quirks |= TcpQuirks.AckPlus;
        }

        if ((flags & FlagUrg) != 0)
        {
            quirks |= TcpQuirks.UrgfPlus;
        }
        else if (tcp[18] != 0 || tcp[19] != 0)
        {
            quirks |= TcpQuirks.UptrPlus;
        }

        if ((flags & FlagPsh) != 0)
        {
            quirks |= TcpQuirks.PushfPlus;
        }

        fp.Window = BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]);
        fp.TotalHeaderLength = (ushort)(ipHeaderLength + dataOffset);
        fp.HasPayload = dataOffset != tcp.Length;

        quirks = ParseOptions(tcp[TcpHeaderLength..dataOffset], type == FlagSyn, ref fp, quirks);
        fp.Quirks = quirks;

        packet.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(tcp);
        packet.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]);
        packet.Sequence = sequence;
        packet.Acknowledgement = acknowledgement;
        packet.Flags = (TcpFlags)flags;
        packet.Payload = tcp[dataOffset..];
        return DecodeStatus.Ok;
    }

    /// <summary>The TCP option walk of p0f 3.09b, byte for byte.</summary>
    private static TcpQuirks ParseOptions(ReadOnlySpan<byte> options, bool pureSyn, ref TcpFingerprint fp, TcpQuirks quirks)
    {
        fp.Layout.Clear();
        fp.EolPadding = 0;
        fp.Mss = 0;
        fp.WindowScale = 0;
        fp.Ts1 = 0;

        int end = options.Length;
        int p = 0;
        while (p < end && fp.Layout.Count < TcpOptionLayout.MaxOptions)
        {
            byte kind = options[p++];
            fp.Layout.TryAdd(kind);
            int remaining = end - p;

            switch (kind)
            {
                case 0:
                    // EOL: count the padding; a non-zero byte makes it opt+ unless it is the
                    // very last byte (upstream's loop post-increments past it).
                    fp.EolPadding = (byte)remaining;
                    while (p < end && options[p++] == 0)
                    {
                    }

                    if (p != end)
                    {
                        quirks |= TcpQuirks.OptPlus;
                        p = end;
                    }

                    break;

                case 1:
                    break;

                case 2:
                    if (remaining < 3)
                    {
                        return quirks | TcpQuirks.Bad;
                    }

                    if (options[p] != 4)
                    {
                        quirks |= TcpQuirks.Bad;
                    }

                    fp.Mss = BinaryPrimitives.ReadUInt16BigEndian(options[(p + 1)..]);
                    p += 3;
                    break;

                case 3:
                    if (remaining < 2)
                    {
                        return quirks | TcpQuirks.Bad;
                    }

                    if (options[p] != 3)
                    {
                        quirks |= TcpQuirks.Bad;
                    }

                    fp.WindowScale = options[p + 1];
                    if (fp.WindowScale > 14)
                    {
                        quirks |= TcpQuirks.Exws;
                    }

                    p += 2;
                    break;

                case 4:
                    if (remaining < 1)
                    {
                        return quirks | TcpQuirks.Bad;
                    }

                    if (options[p] != 2)
                    {
                        quirks |= TcpQuirks.Bad;
                    }

                    p++;
                    break;

                case 5:
                    {
                        if (remaining < 1)
                        {
                            return quirks | TcpQuirks.Bad;
                        }

                        int sackLength = options[p];
                        if (sackLength < 10 || sackLength > 34 || p - 1 + sackLength > end)
                        {
                            return quirks | TcpQuirks.Bad;
                        }

                        p += sackLength - 1;
                        break;
                    }

                case 8:
                    if (remaining < 9)
                    {
                        return quirks | TcpQuirks.Bad;
                    }

                    if (options[p] != 10)
                    {
                        quirks |= TcpQuirks.Bad;
                    }

                    fp.Ts1 = BinaryPrimitives.ReadUInt32BigEndian(options[(p + 1)..]);
                    if (fp.Ts1 == 0)
                    {
                        quirks |= TcpQuirks.Ts1Minus;
                    }

                    if (pureSyn && BinaryPrimitives.ReadUInt32BigEndian(options[(p + 5)..]) != 0)
                    {
                        quirks |= TcpQuirks.Ts2Plus;
                    }

                    p += 9;
                    break;

                default:
                    {
                        if (remaining < 1)
                        {
                            return quirks | TcpQuirks.Bad;
                        }

                        int optionLength = options[p];
                        if (optionLength < 2 || optionLength > 40 || p - 1 + optionLength > end)
                        {
                            return quirks | TcpQuirks.Bad;
                        }

                        p += optionLength - 1;
                        break;
                    }
            }
        }

        if (p != end)
        {
            quirks |= TcpQuirks.Bad;
        }

        return quirks;
    }
}
