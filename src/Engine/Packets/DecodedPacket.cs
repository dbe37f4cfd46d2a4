using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Engine.Packets;

/// <summary>
/// One accepted IPv4/IPv6 TCP segment as p0f sees it: addresses, ports, sequence numbers,
/// flags, the fingerprint fields and the payload (a slice of the capture buffer, valid only
/// for the duration of the call that received it).
/// </summary>
public ref struct DecodedPacket
{
    public HostAddress Source;
    public HostAddress Destination;
    public ushort SourcePort;
    public ushort DestinationPort;
    public uint Sequence;
    public uint Acknowledgement;
    public TcpFlags Flags;
    public TcpFingerprint Fingerprint;
    public ReadOnlySpan<byte> Payload;
}
