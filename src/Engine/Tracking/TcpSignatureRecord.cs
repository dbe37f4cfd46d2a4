using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Engine.Tracking;

/// <summary>
/// The parts of a host's last SYN / SYN+ACK fingerprint that uptime and NAT scoring compare
/// against later packets (p0f keeps the whole tcp_sig; these are the fields it reads).
/// </summary>
internal struct TcpSignatureRecord
{
    public bool Present;
    public TcpQuirks Quirks;
    public TcpOptionLayout Layout;
    public byte Ttl;
    public ushort Mss;
    public uint Ts1;
    public ulong ReceivedMs;
    public TcpSignature? Matched;
    public bool Fuzzy;
}
