namespace P0fSharp.Engine.Hosts;

/// <summary>
/// The per-host facts the p0f v3 API reports, copied out of the host table at the moment a
/// query completes (p0f answers from a snapshot taken when the 21st byte arrives).
/// Strings are references to interned signature labels, so taking a snapshot does not allocate.
/// </summary>
public readonly record struct HostSnapshot
{
    public uint FirstSeen { get; init; }
    public uint LastSeen { get; init; }
    public uint TotalConnections { get; init; }

    /// <summary>Last computed uptime in minutes, 0 if never computed.</summary>
    public uint UptimeMinutes { get; init; }

    /// <summary>Wrap-around period of that uptime in days, 0 if never computed.</summary>
    public uint UptimeModuloDays { get; init; }

    public uint LastNat { get; init; }
    public uint LastChange { get; init; }

    /// <summary>Last measured hop distance; 255 when never measured (p0f's u8 -1).</summary>
    public short Distance { get; init; }

    /// <summary>0, 1 (User-Agent names another OS) or 2 (dishonest software).</summary>
    public byte BadSoftware { get; init; }

    /// <summary>Bit 0 fuzzy, bit 1 generic.</summary>
    public byte OsMatchQuality { get; init; }

    public string? OsName { get; init; }
    public string? OsFlavor { get; init; }
    public string? HttpName { get; init; }
    public string? HttpFlavor { get; init; }
    public string? LinkType { get; init; }
    public string? Language { get; init; }
}
