namespace P0fSharp.Host.CommandLine;

/// <summary>
/// A start-up error reported the way p0f reports it (<c>[-] PROGRAM ABORT : …</c>, exit 1).
/// <see cref="ShowUsage"/> marks getopt-style errors that are followed by the usage text.
/// </summary>
public sealed class P0fFatalException : Exception
{
    public P0fFatalException(string message, bool showUsage = false, string? osMessage = null)
        : base(message)
    {
        ShowUsage = showUsage;
        OsMessage = osMessage;
    }

    public P0fFatalException()
    {
    }

    public P0fFatalException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public bool ShowUsage { get; }

    /// <summary>Where the problem is (<c>file:line</c>), printed like p0f's Location line.</summary>
    public string? Location { get; init; }

    /// <summary>Set for p0f's SYSTEM ERROR form (an OS call failed).</summary>
    public string? OsMessage { get; }
}
