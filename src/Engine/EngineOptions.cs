namespace P0fSharp.Engine;

/// <summary>p0f's cache limits (<c>-t conn,host</c> and <c>-m conn,host</c>) and mode flags.</summary>
public sealed record EngineOptions
{
    /// <summary>Flow max age in seconds (p0f CONN_MAX_AGE).</summary>
    public uint ConnectionMaxAgeSeconds { get; init; } = 30;

    /// <summary>Host idle limit in minutes (p0f HOST_IDLE_LIMIT).</summary>
    public uint HostIdleLimitMinutes { get; init; } = 120;

    /// <summary>Max tracked flows (p0f MAX_CONN).</summary>
    public int MaxConnections { get; init; } = 1000;

    /// <summary>Max tracked hosts (p0f MAX_HOSTS).</summary>
    public int MaxHosts { get; init; } = 10000;

    /// <summary>
    /// True when reading a file: p0f then stays silent about cache evictions.
    /// </summary>
    public bool OfflineMode { get; init; }
}
