using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Engine.Tracking;

/// <summary>
/// The parts of a host's last SYN / SYN+ACK fingerprint that uptime and NAT scoring compare
/// against later packets (p0f keeps the whole tcp_sig; these are the fields it reads), packed
/// into 32 bytes: the matched signature is an id in the host table's registry, and the option
/// layout is held as nibbles when it fits (see <see cref="PackedLayout"/>), else beside the table.
/// </summary>
internal struct TcpReference
{
    private const byte PresentBit = 1;
    private const byte FuzzyBit = 2;
    private const byte SpilledBit = 4;

    public ulong ReceivedMs;
    public uint Ts1;
    public TcpQuirks Quirks;
    public ulong LayoutNibbles;
    public ushort Mss;

    /// <summary>Id of the matched signature in <see cref="HostTable.Signatures"/>; 0 for none.</summary>
    public ushort Signature;
    public byte Ttl;
    public byte LayoutCount;
    private byte _bits;

    public readonly bool Present => (_bits & PresentBit) != 0;

    public readonly bool Fuzzy => (_bits & FuzzyBit) != 0;

    /// <summary>The layout did not fit in <see cref="LayoutNibbles"/> and is kept by the host table.</summary>
    public readonly bool Spilled => (_bits & SpilledBit) != 0;

    public void SetFlags(bool present, bool fuzzy, bool spilled) =>
        _bits = (byte)((present ? PresentBit : 0) | (fuzzy ? FuzzyBit : 0) | (spilled ? SpilledBit : 0));
}

/// <summary>
/// A TCP option layout as 4-bit kinds in a 64-bit word: exact for up to 16 options whose kinds
/// are below 16, which covers every stack seen in practice; anything else is spilled.
/// </summary>
internal static class PackedLayout
{
    public const int MaxPacked = 16;

    public static bool TryPack(in TcpOptionLayout layout, out ulong nibbles)
    {
        nibbles = 0;
        int count = layout.Count;
        if (count > MaxPacked)
        {
            return false;
        }

        for (int i = 0; i < count; i++)
        {
            byte kind = layout[i];
            if (kind >= 16)
            {
                nibbles = 0;
                return false;
            }

            nibbles |= (ulong)kind << (4 * i);
        }

        return true;
    }
}
