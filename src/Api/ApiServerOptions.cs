namespace P0fSharp.Api;

/// <summary>Settings of <see cref="ApiServer"/> (p0f's <c>-s</c> and <c>-S</c>, plus file ownership).</summary>
public sealed class ApiServerOptions
{
    /// <summary>p0f's socket file mode (<c>API_MODE</c> in config.h): 0666.</summary>
    public const UnixFileMode DefaultFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite |
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;

    /// <summary>Path of the unix socket (<c>-s</c>); must be shorter than 108 bytes.</summary>
    public required string SocketPath { get; init; }

    /// <summary>Connections served at once (<c>-S</c>, 1..100, default 20); also the listen backlog.</summary>
    public int MaxClients { get; init; } = ApiProtocol.DefaultMaxClients;

    /// <summary>Permissions of the socket file (default 0666 like p0f; e.g. 0660 with <see cref="Group"/>).</summary>
    public UnixFileMode FileMode { get; init; } = DefaultFileMode;

    /// <summary>Group (name or number) to give the socket file, or null to keep the creator's.</summary>
    public string? Group { get; init; }

    /// <summary>How long <see cref="ApiServer.Dispose"/> waits for its threads before giving up on them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(2);

    internal void Validate()
    {
        if (string.IsNullOrEmpty(SocketPath))
        {
            throw new ArgumentException("The API socket path is empty.", nameof(SocketPath));
        }

        if (MaxClients is < 1 or > ApiProtocol.MaxMaxClients)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxClients), MaxClients,
                $"The API connection limit must be 1..{ApiProtocol.MaxMaxClients}.");
        }

        if ((FileMode & ~PermissionBits) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FileMode), FileMode, "Only permission bits (0777) are allowed.");
        }

        if (ShutdownTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), ShutdownTimeout, "Must not be negative.");
        }
    }
}
