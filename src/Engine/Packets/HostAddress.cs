using System.Buffers.Binary;

namespace P0fSharp.Engine.Packets;

/// <summary>
/// An IPv4 or IPv6 address held as two big-endian 64-bit halves, the way p0f's API lays
/// addresses out (IPv4 in the first four bytes, the rest zero). A value type so host and
/// flow tables can key on it without allocation.
/// </summary>
public readonly struct HostAddress : IEquatable<HostAddress>, IComparable<HostAddress>
{
    public HostAddress(byte version, ulong high, ulong low)
    {
        Version = version;
        High = high;
        Low = low;
    }

    /// <summary>4 or 6.</summary>
    public byte Version { get; }

    public ulong High { get; }

    public ulong Low { get; }

    public static HostAddress FromIPv4(ReadOnlySpan<byte> fourBytes) =>
        new(4, (ulong)BinaryPrimitives.ReadUInt32BigEndian(fourBytes) << 32, 0);

    public static HostAddress FromIPv6(ReadOnlySpan<byte> sixteenBytes) =>
        new(6, BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes), BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes[8..]));

    /// <summary>Writes the 16-byte network-order form (IPv4 padded with zeros).</summary>
    public void WriteBytes(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    public static HostAddress Parse(string text)
    {
        var ip = System.Net.IPAddress.Parse(text);
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        ip.TryWriteBytes(bytes, out int written);
        return written == 4 ? FromIPv4(bytes) : FromIPv6(bytes);
    }

    /// <summary>
    /// p0f's text form: dotted IPv4, or eight lower-case hex groups without leading zeros
    /// and never compressed (<c>2001:db8:0:0:0:0:0:1</c>).
    /// </summary>
    public bool TryFormat(Span<char> destination, out int written)
    {
        written = 0;
        if (Version == 4)
        {
            uint v = (uint)(High >> 32);
            for (int i = 3; i >= 0; i--)
            {
                if (!DecimalText.TryWrite((byte)(v >> (i * 8)), destination[written..], out int n))
                {
                    return false;
                }

                written += n;
                if (i > 0)
                {
                    if (written >= destination.Length)
                    {
                        return false;
                    }

                    destination[written++] = '.';
                }
            }

            return true;
        }

        for (int group = 0; group < 8; group++)
        {
            ulong half = group < 4 ? High : Low;
            ushort g = (ushort)(half >> ((3 - (group & 3)) * 16));
            if (!TryFormatHexGroup(g, destination[written..], out int n))
            {
                return false;
            }

            written += n;
            if (group < 7)
            {
                if (written >= destination.Length)
                {
                    return false;
                }

                destination[written++] = ':';
            }
        }

        return true;
    }

    /// <summary>Lower-case hex without leading zeros (what <c>"x"</c> gives, minus its slow generic path).</summary>
    private static bool TryFormatHexGroup(ushort value, Span<char> destination, out int written)
    {
        written = value >= 0x1000 ? 4 : value >= 0x100 ? 3 : value >= 0x10 ? 2 : 1;
        if (destination.Length < written)
        {
            written = 0;
            return false;
        }

        for (int i = written - 1, shift = 0; i >= 0; i--, shift += 4)
        {
            destination[i] = "0123456789abcdef"[(value >> shift) & 0xF];
        }

        return true;
    }

    public override string ToString()
    {
        Span<char> buffer = stackalloc char[48];
        return TryFormat(buffer, out int n) ? new string(buffer[..n]) : string.Empty;
    }

    public bool Equals(HostAddress other) => Version == other.Version && High == other.High && Low == other.Low;

    public override bool Equals(object? obj) => obj is HostAddress other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Version, High, Low);

    public int CompareTo(HostAddress other)
    {
        int c = Version.CompareTo(other.Version);
        if (c != 0)
        {
            return c;
        }

        c = High.CompareTo(other.High);
        return c != 0 ? c : Low.CompareTo(other.Low);
    }

    public static bool operator ==(HostAddress left, HostAddress right) => left.Equals(right);

    public static bool operator !=(HostAddress left, HostAddress right) => !left.Equals(right);

    public static bool operator <(HostAddress left, HostAddress right) => left.CompareTo(right) < 0;

    public static bool operator >(HostAddress left, HostAddress right) => left.CompareTo(right) > 0;

    public static bool operator <=(HostAddress left, HostAddress right) => left.CompareTo(right) <= 0;

    public static bool operator >=(HostAddress left, HostAddress right) => left.CompareTo(right) >= 0;
}
