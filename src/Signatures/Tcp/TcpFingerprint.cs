namespace P0fSharp.Signatures.Tcp;

/// <summary>
/// What p0f extracts from one SYN or SYN+ACK (its <c>tcp_sig</c>): the values the matcher
/// compares and <c>raw_sig</c> prints. Filled by the packet decoder without allocation.
/// </summary>
public struct TcpFingerprint
{
    /// <summary>4 or 6.</summary>
    public byte IpVersion;

    /// <summary>Observed TTL / hop limit.</summary>
    public byte Ttl;

    /// <summary>IPv4 option bytes (IHL*4 - 20); always 0 for IPv6.</summary>
    public byte IpOptionLength;

    /// <summary>DSCP part of TOS / traffic class (byte &gt;&gt; 2).</summary>
    public byte Tos;

    /// <summary>MSS option value, 0 when absent.</summary>
    public ushort Mss;

    public ushort Window;

    /// <summary>Window-scale option value, 0 when absent.</summary>
    public byte WindowScale;

    /// <summary>Bytes after an EOL option up to the end of the option area.</summary>
    public byte EolPadding;

    public TcpQuirks Quirks;

    public TcpOptionLayout Layout;

    /// <summary>True when the segment carries payload (p0f's pclass '+').</summary>
    public bool HasPayload;

    /// <summary>IP header (with options) plus TCP header (with options), in bytes.</summary>
    public ushort TotalHeaderLength;

    /// <summary>TSval of the timestamp option, 0 when absent.</summary>
    public uint Ts1;
}
