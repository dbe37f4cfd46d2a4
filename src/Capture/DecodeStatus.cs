namespace P0fSharp.Capture;

/// <summary>
/// Outcome of <see cref="PacketDecoder.Decode"/>. Everything except <see cref="Ok"/> is a
/// reason p0f 3.09b silently drops the packet (listed in the order p0f checks them), so a
/// host can count drops per reason.
/// </summary>
public enum DecodeStatus : byte
{
    /// <summary>An IPv4/IPv6 TCP segment p0f would hand to its flow tracker.</summary>
    Ok = 0,

    /// <summary>
    /// Fewer bytes than the smallest IP+TCP header pair: under 40 after the link header
    /// (or after clamping to the IPv4 total length), under 60 for IPv6.
    /// </summary>
    TooShort,

    /// <summary>
    /// The first nibble after the link header is neither 4 nor 6 (p0f prints the
    /// once-per-run "Unknown packet type" warning). See <see cref="PacketDecoder.LastUnknownPacketType"/>.
    /// </summary>
    UnknownPacketType,

    /// <summary>IPv4 IHL under 5 words, or no room for a TCP header after the IPv4 header.</summary>
    BadIpHeader,

    /// <summary>The IP header claims more bytes than were captured.</summary>
    IpTruncated,

    /// <summary>IPv4 protocol or IPv6 next header is not TCP (IPv6 extension headers are not walked).</summary>
    NotTcp,

    /// <summary>IPv4 MF flag or a non-zero fragment offset.</summary>
    Fragment,

    /// <summary>TCP data offset under 5 words or past the end of the packet.</summary>
    BadTcpHeader,

    /// <summary>None of SYN/ACK/FIN/RST, or SYN with FIN/RST, or FIN with RST.</summary>
    BadTcpFlags,

    /// <summary>
    /// The datalink type needs auto-detection and no IP header was found yet (p0f prints the
    /// once-only "Unable to find link-specific packet offset" warning and retries on the next packet).
    /// </summary>
    LinkOffsetUnknown,
}
