using P0fSharp.Engine.Packets;

namespace P0fSharp.Engine.Tracking;

/// <summary>
/// Everything p0f remembers about one address, as a plain struct in <see cref="HostTable"/>'s
/// pooled arrays (no object header, no references for the GC to trace). Links are slot
/// indices; labels, signatures and strings are ids in the table's registries. Field order
/// keeps the struct free of padding (168 bytes).
/// </summary>
internal struct HostSlot
{
    public const int None = -1;

    private const byte IPv6Bit = 1;
    private const byte HttpStateBit = 2;

    public ulong AddressHigh;
    public ulong AddressLow;

    public TcpReference LastSyn;
    public TcpReference LastSynAck;

    /// <summary>Next slot in the same hash bucket, or in the free list.</summary>
    public int HashNext;

    /// <summary>Age list (least recently touched first) neighbours.</summary>
    public int Older;
    public int Newer;

    /// <summary>Flows referencing this host; hosts in use are never evicted.</summary>
    public int UseCount;

    public uint FirstSeen;
    public uint LastSeen;
    public uint TotalConnections;
    public uint LastNat;
    public uint LastChange;
    public int LastUptimeMinutes;
    public uint UptimeModuloDays;

    public NatScores ClientScores;
    public NatScores ServerScores;

    /// <summary>Last OS label (TCP or HTTP) in <see cref="HostTable.Labels"/>; 0 for none
    /// (p0f's last_class_id / last_name_id of -1).</summary>
    public ushort LastLabel;

    /// <summary>Last HTTP application label; 0 for none.</summary>
    public ushort HttpLabel;

    /// <summary>Link type and language in <see cref="HostTable.Strings"/>; 0 for none.</summary>
    public ushort LinkType;
    public ushort Language;

    public ushort LastPort;
    public NatReasons NatReasonAccumulator;

    /// <summary>Bit 0 fuzzy, bit 1 generic.</summary>
    public byte LastQuality;

    /// <summary>p0f stores distance in a u8 initialised to -1, hence 255 for "never".</summary>
    public byte Distance;

    public byte BadSoftware;
    private byte _bits;

    public readonly HostAddress Address =>
        new((_bits & IPv6Bit) != 0 ? (byte)6 : (byte)4, AddressHigh, AddressLow);

    /// <summary>True when the HTTP module keeps state for this host beside the table.</summary>
    public bool HasHttpState
    {
        readonly get => (_bits & HttpStateBit) != 0;
        set => _bits = value ? (byte)(_bits | HttpStateBit) : (byte)(_bits & ~HttpStateBit);
    }

    public void Reset(in HostAddress address, uint now)
    {
        this = default;
        AddressHigh = address.High;
        AddressLow = address.Low;
        _bits = address.Version == 6 ? IPv6Bit : (byte)0;
        HashNext = Older = Newer = None;
        FirstSeen = LastSeen = now;
        Distance = 255;
        LastUptimeMinutes = -1;
    }

    public readonly bool Is(in HostAddress address) =>
        AddressHigh == address.High && AddressLow == address.Low
        && ((_bits & IPv6Bit) != 0) == (address.Version == 6);
}
