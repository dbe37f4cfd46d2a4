namespace P0fSharp.Api;

/// <summary>
/// The API socket could not be set up. <see cref="Exception.Message"/> is p0f's wording where
/// p0f has one (e.g. <c>'/x' exists but is not a socket.</c>); for failed system calls it
/// names the call as p0f does (<c>bind() on '/x' failed.</c>) and <see cref="OsMessage"/> holds the
/// <c>strerror</c> text, matching p0f's <c>[-] SYSTEM ERROR</c> / <c>OS message</c> pair.
/// </summary>
public sealed class ApiSocketException : Exception
{
    public ApiSocketException()
    {
    }

    public ApiSocketException(string message)
        : base(message)
    {
    }

    public ApiSocketException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ApiSocketException(string message, string? osMessage, Exception? innerException = null)
        : base(message, innerException)
    {
        OsMessage = osMessage;
    }

    /// <summary>The operating system's error text, when a system call failed.</summary>
    public string? OsMessage { get; }
}
