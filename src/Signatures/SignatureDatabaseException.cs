namespace P0fSharp.Signatures;

/// <summary>
/// A database that p0f would refuse to load. <see cref="Reason"/> is p0f's own message text
/// (e.g. <c>Misplaced 'sig' in line 4.</c>) so a host can print it exactly as p0f does.
/// </summary>
public sealed class SignatureDatabaseException : Exception
{
    public SignatureDatabaseException()
        : this(string.Empty, 0, "Signature database error.")
    {
    }

    public SignatureDatabaseException(string message)
        : this(string.Empty, 0, message)
    {
    }

    public SignatureDatabaseException(string message, Exception innerException)
        : this(string.Empty, 0, message, isSystemError: false, osMessage: null, innerException)
    {
    }

    public SignatureDatabaseException(
        string fileName,
        int line,
        string reason,
        bool isSystemError = false,
        string? osMessage = null,
        Exception? innerException = null)
        : base($"{fileName}:{line}: {reason}", innerException)
    {
        FileName = fileName;
        Line = line;
        Reason = reason;
        IsSystemError = isSystemError;
        OsMessage = osMessage;
    }

    /// <summary>The file name as given to Load/Parse (p0f prints it as given).</summary>
    public string FileName { get; }

    /// <summary>1-based line of the offending statement; 0 when not tied to a line.</summary>
    public int Line { get; }

    /// <summary>p0f's message, byte-for-byte when encoded as Latin-1.</summary>
    public string Reason { get; }

    /// <summary>
    /// True where p0f reports <c>[-] SYSTEM ERROR</c> (an OS call failed, see
    /// <see cref="OsMessage"/>) instead of <c>[-] PROGRAM ABORT</c>.
    /// </summary>
    public bool IsSystemError { get; }

    /// <summary>strerror()-style text of the failed OS call, for the <c>OS message</c> line.</summary>
    public string? OsMessage { get; }

    /// <summary>
    /// p0f's format string for "Empty MTU label" ends in a newline, so its stderr shows an
    /// extra empty line after the message. Hosts that want identical stderr print one more
    /// newline when this is set.
    /// </summary>
    public bool ReasonEndsWithNewline { get; init; }
}
