using P0fSharp.Engine.Packets;

namespace P0fSharp.Engine.Tracking;

/// <summary>
/// Everything p0f remembers about one address. Records are pooled and linked into an
/// age list (least recently touched first) so eviction and expiry walk them in p0f's order.
/// </summary>
internal sealed class HostRecord
{
    public const int NatScoreSlots = 32;

    public HostAddress Address;
    public HostRecord? Older;
    public HostRecord? Newer;

    /// <summary>Flows referencing this host; hosts in use are never evicted.</summary>
    public int UseCount;

    public uint FirstSeen;
    public uint LastSeen;
    public uint TotalConnections;

    public int LastClassId;
    public int LastNameId;
    public string? LastName;
    public string? LastFlavor;
    public byte LastQuality;

    /// <summary>p0f stores distance in a u8 initialised to -1, hence 255 for "never".</summary>
    public byte Distance;

    public string? LinkType;
    public int LastUptimeMinutes;
    public uint UptimeModuloDays;

    public string? HttpName;
    public string? HttpFlavor;
    public string? Language;
    public byte BadSoftware;

    public uint LastNat;
    public uint LastChange;
    public ushort LastPort;
    public NatReasons NatReasonAccumulator;
    public NatScoreRing ClientScores;
    public NatScoreRing ServerScores;

    public TcpSignatureRecord LastSyn;
    public TcpSignatureRecord LastSynAck;

    /// <summary>Slot for the HTTP module's per-host state (request OS sig, last response).</summary>
    public object? HttpState;

    public void Reset(HostAddress address, uint now)
    {
        Address = address;
        Older = Newer = null;
        UseCount = 0;
        FirstSeen = LastSeen = now;
        TotalConnections = 0;
        LastClassId = -1;
        LastNameId = -1;
        LastName = null;
        LastFlavor = null;
        LastQuality = 0;
        Distance = 255;
        LinkType = null;
        LastUptimeMinutes = -1;
        UptimeModuloDays = 0;
        HttpName = null;
        HttpFlavor = null;
        Language = null;
        BadSoftware = 0;
        LastNat = 0;
        LastChange = 0;
        LastPort = 0;
        NatReasonAccumulator = NatReasons.None;
        ClientScores = default;
        ServerScores = default;
        LastSyn = default;
        LastSynAck = default;
        HttpState = null;
    }
}
