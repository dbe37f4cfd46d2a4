using System.Buffers.Binary;

namespace P0fSharp.Benchmarks;

/// <summary>
/// Ethernet/IPv4/TCP frames for the hot-path benchmarks, laid out like the stacks in the shared
/// capture generator (gen_pcap.py). Checksums are left zero: p0f (and P0fSharp) never check them.
/// </summary>
public static class Frames
{
    /// <summary>Client 198.18.7.9 (benchmark range, RFC 2544), server 192.0.2.25 (RFC 5737).</summary>
    public static readonly byte[] ClientAddress = [198, 18, 7, 9];

    public static readonly byte[] ServerAddress = [192, 0, 2, 25];

    public const ushort ClientPort = 40000;
    public const ushort ServerPort = 25;
    public const uint ClientSequence = 0x10203040;
    public const uint ServerSequence = 0x50607080;

    /// <summary>Linux 3.x+ SYN: TTL 58, DF, window 20×MSS, mss,sok,ts,nop,ws 7.</summary>
    public static byte[] LinuxSyn() =>
        Tcp4(ClientAddress, ServerAddress, ClientPort, ServerPort, ClientSequence, 0, flags: 0x02,
            ttl: 58, dontFragment: true, ipId: 0x1234, window: 29200,
            Options(Mss(1460), Sok(), Ts(123456, 0), Nop(), Ws(7)));

    /// <summary>Windows 7 SYN: TTL 121, DF, window 8192, mss,nop,ws 8,nop,nop,sok.</summary>
    public static byte[] WindowsSyn() =>
        Tcp4(ClientAddress, ServerAddress, ClientPort, ServerPort, ClientSequence, 0, flags: 0x02,
            ttl: 121, dontFragment: true, ipId: 0x0102, window: 8192,
            Options(Mss(1460), Nop(), Ws(8), Nop(), Nop(), Sok()));

    /// <summary>A SYN that no stock signature matches (odd TTL, window and option kind): a full scan.</summary>
    public static byte[] UnknownSyn() =>
        Tcp4(ClientAddress, ServerAddress, ClientPort, ServerPort, ClientSequence, 0, flags: 0x02,
            ttl: 200, dontFragment: false, ipId: 7, window: 1234,
            Options(Mss(1200), Nop(), [30, 4, 0, 0], Ws(2)));

    /// <summary>The Linux server's SYN+ACK answering <see cref="LinuxSyn"/>.</summary>
    public static byte[] LinuxSynAck() =>
        Tcp4(ServerAddress, ClientAddress, ServerPort, ClientPort, ServerSequence, ClientSequence + 1, flags: 0x12,
            ttl: 64, dontFragment: true, ipId: 0, window: 65160,
            Options(Mss(1460), Sok(), Ts(987654, 123456), Nop(), Ws(7)));

    private static byte[] Mss(ushort mss) => [2, 4, (byte)(mss >> 8), (byte)mss];

    private static byte[] Ws(byte shift) => [3, 3, shift];

    private static byte[] Sok() => [4, 2];

    private static byte[] Nop() => [1];

    private static byte[] Ts(uint value, uint echo)
    {
        var o = new byte[10];
        o[0] = 8;
        o[1] = 10;
        BinaryPrimitives.WriteUInt32BigEndian(o.AsSpan(2), value);
        BinaryPrimitives.WriteUInt32BigEndian(o.AsSpan(6), echo);
        return o;
    }

    private static byte[] Options(params byte[][] parts)
    {
        int length = 0;
        foreach (byte[] p in parts)
        {
            length += p.Length;
        }

        var o = new byte[(length + 3) & ~3];
        int at = 0;
        foreach (byte[] p in parts)
        {
            p.CopyTo(o, at);
            at += p.Length;
        }

        return o;
    }

    private static byte[] Tcp4(
        byte[] source, byte[] destination, ushort sourcePort, ushort destinationPort, uint sequence, uint ack,
        byte flags, byte ttl, bool dontFragment, ushort ipId, ushort window, byte[] options)
    {
        const int Ethernet = 14;
        const int Ip = 20;
        int tcpLength = 20 + options.Length;
        var frame = new byte[Ethernet + Ip + tcpLength];
        Span<byte> f = frame;

        // Ethernet: destination, source, EtherType IPv4.
        byte[] mac = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
        mac.CopyTo(f);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x0800);

        Span<byte> ip = f.Slice(Ethernet, Ip);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(Ip + tcpLength));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], ipId);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], dontFragment ? (ushort)0x4000 : (ushort)0);
        ip[8] = ttl;
        ip[9] = 6;
        source.CopyTo(ip[12..]);
        destination.CopyTo(ip[16..]);

        Span<byte> tcp = f[(Ethernet + Ip)..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], ack);
        tcp[12] = (byte)((tcpLength / 4) << 4);
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], window);
        options.CopyTo(tcp[20..]);
        return frame;
    }
}
