using System.Buffers.Binary;
using System.Net;

namespace P0fSharp.Daemon.Tests.Support;

/// <summary>
/// Builds the capture the differential test replays onto a veth: Ethernet frames from
/// several classic pcap files, with every IPv4 address outside the documentation ranges
/// (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) and every IPv6 address outside
/// 2001:db8::/32 mapped one-to-one onto unused documentation addresses (checksums redone), so
/// even replayed traffic only ever names test hosts. A frame whose addresses cannot be
/// rewritten is left out. Also lists every address the TCP frames carry, for the queries.
/// </summary>
internal sealed class ReplayCapture
{
    private const int EthernetHeader = 14;
    private const ushort EtherIPv4 = 0x0800;
    private const ushort EtherIPv6 = 0x86DD;

    private readonly List<byte[]> _frames = [];
    private readonly Dictionary<IPAddress, IPAddress> _map = [];
    private readonly HashSet<IPAddress> _reserved = [];
    private readonly SortedSet<string> _addresses = new(StringComparer.Ordinal);
    private int _nextV4;
    private int _nextV6 = 1;

    /// <summary>The address of the last frame (<see cref="AddSentinel"/>), seen last by both daemons.</summary>
    public const string SentinelClient = "203.0.113.254";

    public const string SentinelServer = "192.0.2.254";

    public int FrameCount => _frames.Count;

    public int FramesSkipped { get; private set; }

    public int AddressesRemapped => _map.Count;

    /// <summary>Every IPv4/IPv6 address found in a TCP frame after rewriting.</summary>
    public IReadOnlyCollection<string> Addresses => _addresses;

    /// <summary>Reads the Ethernet frames of a classic little-endian pcap file.</summary>
    public static List<byte[]> ReadFrames(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        if (data.Length < 24 || BinaryPrimitives.ReadUInt32LittleEndian(data) is not (0xA1B2C3D4 or 0xA1B23C4D))
        {
            throw new InvalidDataException($"'{path}' is not a little-endian classic pcap file.");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(20)) != 1)
        {
            throw new InvalidDataException($"'{path}' is not an Ethernet capture.");
        }

        var frames = new List<byte[]>();
        int offset = 24;
        while (offset + 16 <= data.Length)
        {
            int captured = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset + 8));
            offset += 16;
            if (captured < 0 || offset + captured > data.Length)
            {
                break;
            }

            frames.Add(data.AsSpan(offset, captured).ToArray());
            offset += captured;
        }

        return frames;
    }

    /// <summary>Reserves the documentation addresses the inputs already use, so no rewritten address collides with them.</summary>
    public void Reserve(IEnumerable<byte[]> frames)
    {
        foreach (byte[] frame in frames)
        {
            if (LocateIp(frame, out int ip, out int version) && version == 4 && frame.Length >= ip + 20)
            {
                ReserveIfDoc(new IPAddress(frame.AsSpan(ip + 12, 4)));
                ReserveIfDoc(new IPAddress(frame.AsSpan(ip + 16, 4)));
            }
            else if (version == 6 && frame.Length >= ip + 40)
            {
                ReserveIfDoc(new IPAddress(frame.AsSpan(ip + 8, 16)));
                ReserveIfDoc(new IPAddress(frame.AsSpan(ip + 24, 16)));
            }
        }

        _reserved.Add(IPAddress.Parse(SentinelClient));
        _reserved.Add(IPAddress.Parse(SentinelServer));
    }

    public void Add(IEnumerable<byte[]> frames)
    {
        foreach (byte[] original in frames)
        {
            byte[] frame = (byte[])original.Clone();
            if (!Rewrite(frame))
            {
                FramesSkipped++;
                continue;
            }

            _frames.Add(frame);
        }
    }

    /// <summary>A Linux-like SYN from <see cref="SentinelClient"/> to port 25, the last frame of the replay.</summary>
    public void AddSentinel()
    {
        byte[] frame = new byte[EthernetHeader + 20 + 24];
        frame[0] = 0x02; frame[5] = 0x01; frame[6] = 0x02; frame[11] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherIPv4);
        Span<byte> ip = frame.AsSpan(EthernetHeader);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], 44);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // DF
        ip[8] = 64;
        ip[9] = 6;
        IPAddress.Parse(SentinelClient).GetAddressBytes().CopyTo(ip[12..]);
        IPAddress.Parse(SentinelServer).GetAddressBytes().CopyTo(ip[16..]);
        Span<byte> tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 25);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], 0x01020304);
        tcp[12] = 6 << 4;
        tcp[13] = 0x02; // SYN
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 29200);
        tcp[20] = 2; tcp[21] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[22..], 1460);
        Checksums(frame, EthernetHeader);
        _frames.Add(frame);
        _addresses.Add(SentinelClient);
        _addresses.Add(SentinelServer);
    }

    /// <summary>Writes a little-endian microsecond pcap (Ethernet), one millisecond between frames.</summary>
    public void Write(string path)
    {
        using var f = File.Create(path);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1);
        f.Write(header);
        Span<byte> record = stackalloc byte[16];
        long micros = 1_700_000_000L * 1_000_000;
        foreach (byte[] frame in _frames)
        {
            micros += 1000;
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(micros / 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(micros % 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frame.Length);
            f.Write(record);
            f.Write(frame);
        }
    }

    public static bool IsDocumentation(IPAddress a)
    {
        byte[] b = a.GetAddressBytes();
        return b.Length == 4
            ? (b[0] == 192 && b[1] == 0 && b[2] == 2) || (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113)
            : b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8;
    }

    private void ReserveIfDoc(IPAddress a)
    {
        if (IsDocumentation(a))
        {
            _reserved.Add(a);
        }
    }

    /// <summary>Finds the IP header behind Ethernet and any 802.1Q / 802.1ad tags.</summary>
    private static bool LocateIp(byte[] frame, out int offset, out int version)
    {
        offset = 12;
        version = 0;
        while (offset + 2 <= frame.Length)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(offset));
            if (type is 0x8100 or 0x88A8)
            {
                offset += 4;
                continue;
            }

            offset += 2;
            version = type switch { EtherIPv4 => 4, EtherIPv6 => 6, _ => 0 };
            return version != 0;
        }

        return false;
    }

    /// <summary>Rewrites the addresses of one frame; false when it cannot be made to name only test hosts.</summary>
    private bool Rewrite(byte[] frame)
    {
        if (!LocateIp(frame, out int ip, out int version))
        {
            return true; // no IP: nothing to rewrite (not TCP either, so neither daemon cares)
        }

        int width = version == 4 ? 4 : 16;
        int src = version == 4 ? ip + 12 : ip + 8;
        int dst = src + width;
        if (frame.Length < dst + width)
        {
            return frame.Length <= src; // a header cut before the addresses names nobody
        }

        foreach (int at in new[] { src, dst })
        {
            IPAddress a = new(frame.AsSpan(at, width));
            if (!IsDocumentation(a))
            {
                if (!_map.TryGetValue(a, out IPAddress? mapped))
                {
                    mapped = Allocate(version);
                    _map.Add(a, mapped);
                }

                mapped.GetAddressBytes().CopyTo(frame, at);
            }
        }

        Checksums(frame, ip);
        bool tcp = version == 4 ? frame.Length > ip + 9 && frame[ip + 9] == 6 : frame.Length > ip + 6 && frame[ip + 6] == 6;
        if (tcp)
        {
            _addresses.Add(new IPAddress(frame.AsSpan(src, width)).ToString());
            _addresses.Add(new IPAddress(frame.AsSpan(dst, width)).ToString());
        }

        return true;
    }

    private IPAddress Allocate(int version)
    {
        if (version == 6)
        {
            while (true)
            {
                var a = IPAddress.Parse($"2001:db8:ff00::{_nextV6++:x}");
                if (_reserved.Add(a))
                {
                    return a;
                }
            }
        }

        string[] pools = ["198.51.100.", "203.0.113.", "192.0.2."];
        while (_nextV4 < pools.Length * 254)
        {
            int n = _nextV4++;
            var a = IPAddress.Parse(pools[n / 254] + ((n % 254) + 1));
            if (_reserved.Add(a))
            {
                return a;
            }
        }

        throw new InvalidOperationException("More distinct IPv4 addresses than the documentation ranges hold; use fewer hosts.");
    }

    /// <summary>IPv4 header checksum and the TCP checksum where the whole segment is present.</summary>
    private static void Checksums(byte[] frame, int ip)
    {
        int version = frame[ip] >> 4;
        int tcpStart;
        int tcpLength;
        ReadOnlySpan<byte> source;
        ReadOnlySpan<byte> destination;
        if (version == 4)
        {
            int ihl = (frame[ip] & 0x0F) * 4;
            if (ihl < 20 || frame.Length < ip + ihl)
            {
                return;
            }

            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ip + 10), 0);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ip + 10), Fold(Sum(frame.AsSpan(ip, ihl), 0)));
            int total = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(ip + 2));
            bool fragment = (BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(ip + 6)) & 0x3FFF) != 0;
            if (frame[ip + 9] != 6 || fragment || total < ihl + 20 || frame.Length < ip + total)
            {
                return;
            }

            tcpStart = ip + ihl;
            tcpLength = total - ihl;
            source = frame.AsSpan(ip + 12, 4);
            destination = frame.AsSpan(ip + 16, 4);
        }
        else
        {
            int payload = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(ip + 4));
            if (frame[ip + 6] != 6 || payload < 20 || frame.Length < ip + 40 + payload)
            {
                return;
            }

            tcpStart = ip + 40;
            tcpLength = payload;
            source = frame.AsSpan(ip + 8, 16);
            destination = frame.AsSpan(ip + 24, 16);
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(tcpStart + 16), 0);
        uint sum = Sum(source, 0);
        sum = Sum(destination, sum);
        sum += 6u + (uint)tcpLength;
        sum = Sum(frame.AsSpan(tcpStart, tcpLength), sum);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(tcpStart + 16), Fold(sum));
    }

    private static uint Sum(ReadOnlySpan<byte> data, uint sum)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        return sum;
    }

    private static ushort Fold(uint sum)
    {
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
