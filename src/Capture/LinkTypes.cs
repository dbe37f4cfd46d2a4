namespace P0fSharp.Capture;

/// <summary>
/// libpcap datalink type numbers (what <c>pcap_datalink()</c> returns on Linux) that the
/// decoder knows by name. Any other value is handled by p0f's offset auto-detection.
/// </summary>
public static class LinkTypes
{
    /// <summary>BSD loopback: 4-byte address-family header.</summary>
    public const int Null = 0;

    /// <summary>Ethernet (DLT_EN10MB).</summary>
    public const int Ethernet = 1;

    /// <summary>PPP: 4-byte header.</summary>
    public const int Ppp = 9;

    /// <summary>Raw IP as libpcap reports it on Linux (DLT_RAW).</summary>
    public const int Raw = 12;

    /// <summary>Raw IP as DLT 14 (OpenBSD's DLT_RAW).</summary>
    public const int RawOpenBsd = 14;

    /// <summary>PPP in HDLC-like framing (DLT_PPP_SERIAL).</summary>
    public const int PppSerial = 50;

    /// <summary>PPPoE (DLT_PPP_ETHER).</summary>
    public const int PppEther = 51;

    /// <summary>Raw IP as the pcap file LINKTYPE value (LINKTYPE_RAW).</summary>
    public const int LinktypeRaw = 101;

    /// <summary>802.11 without radio header.</summary>
    public const int Ieee80211 = 105;

    /// <summary>OpenBSD loopback (DLT_LOOP).</summary>
    public const int Loop = 108;

    /// <summary>Linux cooked capture v1 (16-byte header).</summary>
    public const int LinuxSll = 113;

    /// <summary>OpenBSD pflog.</summary>
    public const int Pflog = 117;

    /// <summary>Linux cooked capture v2 (20-byte header). Unknown to p0f 3.09b.</summary>
    public const int LinuxSll2 = 276;

    /// <summary>
    /// p0f's fixed link-header length for <paramref name="linkType"/>, or -1 when p0f
    /// would auto-detect it from the first packets (<c>find_offset</c> in <c>process.c</c>).
    /// </summary>
    public static int FixedOffset(int linkType) => linkType switch
    {
        Raw or RawOpenBsd or LinktypeRaw => 0,
        Null or Ppp => 4,
        Loop or PppSerial or PppEther => 8,
        Ethernet => 14,
        LinuxSll => 16,
        Pflog => 28,
        Ieee80211 => 32,
        _ => -1,
    };
}
