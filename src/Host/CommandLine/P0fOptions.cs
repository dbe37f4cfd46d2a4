namespace P0fSharp.Host.CommandLine;

/// <summary>Everything p0f's command line can say, plus P0fSharp's additions.</summary>
public sealed record P0fOptions
{
    public const int DefaultApiMaxConnections = 20;
    public const uint DefaultConnectionMaxAge = 30;
    public const uint DefaultHostIdleMinutes = 120;
    public const int DefaultMaxConnections = 1000;
    public const int DefaultMaxHosts = 10000;

    public string? Interface { get; init; }
    public string? ReadFile { get; init; }
    public bool Promiscuous { get; init; }
    public bool ListInterfaces { get; init; }
    public string? FingerprintFile { get; init; }
    public string? LogFile { get; init; }
    public string? ApiSocket { get; init; }
    public string? User { get; init; }
    public bool Daemon { get; init; }
    public int ApiMaxConnections { get; init; } = DefaultApiMaxConnections;
    public bool ApiMaxConnectionsGiven { get; init; }
    public uint ConnectionMaxAgeSeconds { get; init; } = DefaultConnectionMaxAge;
    public uint HostIdleLimitMinutes { get; init; } = DefaultHostIdleMinutes;
    public int MaxConnections { get; init; } = DefaultMaxConnections;
    public int MaxHosts { get; init; } = DefaultMaxHosts;
    public string? Filter { get; init; }

    // P0fSharp additions (long options only).
    public bool ShowHelp { get; init; }
    public bool ShowVersion { get; init; }
    public string? ConfigFile { get; init; }
    public bool DecodeVlan { get; init; }

    /// <summary>--stats: after an offline run, print the engine's counters (drops, evictions) to stderr.</summary>
    public bool PrintStats { get; init; }

    /// <summary>Unix mode of the API socket file; p0f always uses 0666.</summary>
    public int SocketMode { get; init; } = Convert.ToInt32("666", 8);
    public string? SocketGroup { get; init; }
    public int KernelBufferMiB { get; init; } = 32;
    public int StatsIntervalSeconds { get; init; } = 300;
}
