using System.Buffers.Binary;
using System.Net;

namespace P0fSharp.Capture.Tests.Support;

/// <summary>Byte-exact IPv4/IPv6/TCP and link-layer frame builder for decoder tests.</summary>
internal static class Frames
{
    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Rst = 0x04;
    public const byte Psh = 0x08;
    public const byte Ack = 0x10;
    public const byte Urg = 0x20;
    public const byte Ece = 0x40;
    public const byte Cwr = 0x80;

    public const string Client = "10.1.0.1";
    public const string Server = "192.0.2.1";

    // ---- TCP options ----

    public static byte[] Mss(ushort value, byte length = 4) => [2, length, (byte)(value >> 8), (byte)value];

    public static byte[] Ws(byte value, byte length = 3) => [3, length, value];

    public static byte[] Sok(byte length = 2) => [4, length];

    public static byte[] Ts(uint ts1, uint ts2 = 0, byte length = 10)
    {
        var b = new byte[10];
        b[0] = 8;
        b[1] = length;
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(2), ts1);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(6), ts2);
        return b;
    }

    public static byte[] Nop => [1];

    public static byte[] Eol => [0];

    /// <summary>Concatenates option parts; pads with zeros to a multiple of 4 when <paramref name="pad"/>.</summary>
    public static byte[] Opts(bool pad, params byte[][] parts)
    {
        var all = parts.SelectMany(p => p).ToList();
        while (pad && all.Count % 4 != 0)
        {
            all.Add(0);
        }

        return [.. all];
    }

    public static byte[] Opts(params byte[][] parts) => Opts(true, parts);

    /// <summary>Linux 3.x layout: mss,sok,ts,nop,ws.</summary>
    public static byte[] LinuxOpts(ushort mss = 1460, byte ws = 7, uint ts1 = 123456, uint ts2 = 0) =>
        Opts(Mss(mss), Sok(), Ts(ts1, ts2), Nop, Ws(ws));

    // ---- TCP / IP ----

    public static byte[] Tcp(
        ushort sport = 40000,
        ushort dport = 80,
        uint seq = 1000,
        uint ack = 0,
        byte flags = Syn,
        ushort win = 29200,
        ushort urg = 0,
        byte[]? options = null,
        byte[]? payload = null,
        int? doff = null,
        byte reserved = 0,
        byte[]? ackRaw = null)
    {
        options ??= [];
        payload ??= [];
        int words = doff ?? ((20 + options.Length) / 4);
        var b = new byte[20 + options.Length + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(0), sport);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), seq);
        if (ackRaw is not null)
        {
            ackRaw.CopyTo(b, 8);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), ack);
        }

        b[12] = (byte)((words << 4) | reserved);
        b[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(14), win);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(18), urg);
        options.CopyTo(b, 20);
        payload.CopyTo(b, 20 + options.Length);
        return b;
    }

    public static byte[] Ip4(
        string src,
        string dst,
        byte[] segment,
        byte ttl = 64,
        ushort id = 0x1234,
        bool df = true,
        bool mbz = false,
        bool mf = false,
        ushort fragmentOffset = 0,
        byte tos = 0,
        byte protocol = 6,
        byte[]? ipOptions = null,
        int? totalLength = null,
        int? ihlWords = null)
    {
        ipOptions ??= [];
        int headerLength = 20 + ipOptions.Length;
        var b = new byte[headerLength + segment.Length];
        b[0] = (byte)(0x40 | (ihlWords ?? (headerLength / 4)));
        b[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)(totalLength ?? b.Length));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), id);
        ushort flags = (ushort)((mbz ? 0x8000 : 0) | (df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | fragmentOffset);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6), flags);
        b[8] = ttl;
        b[9] = protocol;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(b, 12);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(b, 16);
        ipOptions.CopyTo(b, 20);
        segment.CopyTo(b, headerLength);
        return b;
    }

    public static byte[] Ip6(
        string src,
        string dst,
        byte[] segment,
        byte hopLimit = 64,
        uint flow = 0,
        byte trafficClass = 0,
        byte nextHeader = 6,
        int? payloadLength = null)
    {
        var b = new byte[40 + segment.Length];
        uint first = (6u << 28) | ((uint)trafficClass << 20) | (flow & 0xFFFFF);
        BinaryPrimitives.WriteUInt32BigEndian(b, first);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), (ushort)(payloadLength ?? segment.Length));
        b[6] = nextHeader;
        b[7] = hopLimit;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(b, 8);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(b, 24);
        segment.CopyTo(b, 40);
        return b;
    }

    /// <summary>The Linux SYN used throughout the vectors (raw_sig 4:64+0:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0).</summary>
    public static byte[] LinuxSyn(string src = Client, ushort sport = 40000, byte ttl = 64, uint seq = 1000) =>
        Ip4(src, Server, Tcp(sport: sport, seq: seq, win: 1460 * 20, options: LinuxOpts()), ttl: ttl);

    public static byte[] LinuxSyn6(string src = "2001:db8::1") =>
        Ip6(src, "2001:db8::100", Tcp(win: 1440 * 20, options: LinuxOpts(1440)));

    // ---- link layers ----

    public static ushort EtherTypeOf(byte[] l3) => (l3.Length > 0 && l3[0] >> 4 == 6) ? (ushort)0x86DD : (ushort)0x0800;

    public static byte[] Ether(byte[] l3, ushort? etherType = null)
    {
        var b = new byte[14 + l3.Length];
        byte[] dst = [0x02, 0, 0, 0, 0, 2];
        byte[] src = [0x02, 0, 0, 0, 0, 1];
        dst.CopyTo(b, 0);
        src.CopyTo(b, 6);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(12), etherType ?? EtherTypeOf(l3));
        l3.CopyTo(b, 14);
        return b;
    }

    /// <summary>Ethernet with one 4-byte tag per TPID (outermost first), TCI = vlan id (+PCP bits).</summary>
    public static byte[] EtherTagged(byte[] l3, ushort tci, params ushort[] tpids)
    {
        var b = new List<byte> { 0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1 };
        foreach (ushort tpid in tpids)
        {
            b.Add((byte)(tpid >> 8));
            b.Add((byte)tpid);
            b.Add((byte)(tci >> 8));
            b.Add((byte)tci);
        }

        ushort inner = EtherTypeOf(l3);
        b.Add((byte)(inner >> 8));
        b.Add((byte)inner);
        b.AddRange(l3);
        return [.. b];
    }

    /// <summary>Linux cooked v1: pkttype, hatype, halen, addr[8], protocol.</summary>
    public static byte[] Sll(byte[] l3, ushort? protocol = null)
    {
        var b = new byte[16 + l3.Length];
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(0), 0);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), 6);
        byte[] addr = [0x02, 0, 0, 0, 0, 1, 0, 0];
        addr.CopyTo(b, 6);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(14), protocol ?? EtherTypeOf(l3));
        l3.CopyTo(b, 16);
        return b;
    }

    /// <summary>Linux cooked v2: protocol, reserved, ifindex, hatype, pkttype, halen, addr[8].</summary>
    public static byte[] Sll2(byte[] l3, ushort? protocol = null, uint ifIndex = 2)
    {
        var b = new byte[20 + l3.Length];
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(0), protocol ?? EtherTypeOf(l3));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), ifIndex);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(8), 1);
        b[10] = 0;
        b[11] = 6;
        byte[] addr = [0x02, 0, 0, 0, 0, 1, 0, 0];
        addr.CopyTo(b, 12);
        l3.CopyTo(b, 20);
        return b;
    }

    /// <summary>Prefixes <paramref name="header"/> bytes before the network layer.</summary>
    public static byte[] Prefix(byte[] header, byte[] l3) => [.. header, .. l3];
}
