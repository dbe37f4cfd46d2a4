namespace P0fSharp.Signatures.Http;

/// <summary>
/// One header line of an observed request/response, as the HTTP module parsed it.
/// </summary>
/// <param name="Id">Id from <see cref="HttpHeaderTable.Find(ReadOnlySpan{byte})"/>, or -1 for an unknown header.</param>
/// <param name="Name">The name exactly as received.</param>
/// <param name="Value">The value (Latin-1 decoded wire bytes), or null when the header was empty.</param>
public readonly record struct HttpObservedHeader(int Id, string Name, string? Value);

/// <summary>
/// What p0f's HTTP matcher looks at for one request or response. Strings are expected to be
/// the wire bytes decoded as Latin-1, so that substring tests behave like p0f's strstr().
/// </summary>
public sealed class HttpObservation
{
    public HttpObservation(int version, IReadOnlyList<HttpObservedHeader> headers, string? software)
    {
        Version = version;
        Headers = headers;
        Software = software;
    }

    /// <summary>1 for <c>HTTP/1.1</c>, 0 otherwise.</summary>
    public int Version { get; }

    /// <summary>All header lines in order (at most 32 in p0f).</summary>
    public IReadOnlyList<HttpObservedHeader> Headers { get; }

    /// <summary>Value of User-Agent (requests) or Server (responses); null when absent/empty.</summary>
    public string? Software { get; }
}
