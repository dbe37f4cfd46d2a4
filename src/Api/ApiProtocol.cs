using P0fSharp.Engine.Hosts;

namespace P0fSharp.Api;

/// <summary>Status word of a p0f v3 API answer (offset 4 of the response).</summary>
public enum ApiStatus : uint
{
    /// <summary>Bad magic or unknown address type; the rest of the answer is zero.</summary>
    BadQuery = 0x00,

    /// <summary>The host is known; the answer carries its record.</summary>
    Ok = 0x10,

    /// <summary>No record for that address; the rest of the answer is zero.</summary>
    NoMatch = 0x20,
}

/// <summary>
/// Constants of the p0f v3 query protocol (spec §7.2) and the one-query state machine step
/// shared by the server and by tests: parse 21 bytes, look the host up, write 232 bytes.
/// Integers travel in host order, which is little-endian on every platform p0f was measured
/// on; this implementation always uses little-endian.
/// </summary>
public static class ApiProtocol
{
    /// <summary>Size of a query on the wire.</summary>
    public const int QuerySize = 21;

    /// <summary>Size of an answer on the wire.</summary>
    public const int ResponseSize = 232;

    /// <summary>Magic of a query (<c>P0F_QUERY_MAGIC</c>).</summary>
    public const uint QueryMagic = 0x50304601;

    /// <summary>Magic of an answer (<c>P0F_RESP_MAGIC</c>).</summary>
    public const uint ResponseMagic = 0x50304602;

    /// <summary>Address type of an IPv4 query.</summary>
    public const byte AddressTypeIPv4 = 4;

    /// <summary>Address type of an IPv6 query.</summary>
    public const byte AddressTypeIPv6 = 6;

    /// <summary>Width of every string field of the answer (<c>P0F_STR_MAX + 1</c>).</summary>
    public const int StringFieldSize = 32;

    /// <summary>Default connection limit (<c>-S</c>).</summary>
    public const int DefaultMaxClients = 20;

    /// <summary>Largest connection limit p0f accepts for <c>-S</c>.</summary>
    public const int MaxMaxClients = 100;

    /// <summary>
    /// Answers one complete query the way p0f's <c>handle_query</c> does: bad magic first, then
    /// the address type, then an exact lookup among records of that IP version. The host is
    /// looked up now, so the answer is a snapshot of the moment the query completed.
    /// Allocation-free unless <paramref name="lookup"/> allocates.
    /// </summary>
    /// <param name="query">Exactly <see cref="QuerySize"/> bytes.</param>
    /// <param name="response">At least <see cref="ResponseSize"/> bytes; the first 232 are written.</param>
    /// <param name="lookup">The host table.</param>
    /// <param name="parsed">The decoded query (magic and type are set even when it is bad).</param>
    /// <param name="error">Why the query was bad, or <see cref="ApiQueryError.None"/>.</param>
    public static ApiStatus Answer(ReadOnlySpan<byte> query, Span<byte> response, IHostLookup lookup,
        out ApiQuery parsed, out ApiQueryError error)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        if (!ApiQuery.TryParse(query, out parsed, out error))
        {
            ApiResponse.Write(response, ApiStatus.BadQuery);
            return ApiStatus.BadQuery;
        }

        if (lookup.TryGetHost(parsed.Address, out HostSnapshot host))
        {
            ApiResponse.Write(response, ApiStatus.Ok, host);
            return ApiStatus.Ok;
        }

        ApiResponse.Write(response, ApiStatus.NoMatch);
        return ApiStatus.NoMatch;
    }

    /// <summary>
    /// The text p0f passes to its <c>WARN()</c> for a bad query, or null for a good one:
    /// <c>Query with bad magic (0x12345678).</c> or <c>Query with unknown address type 5.</c>
    /// followed by a line feed, because p0f's format string ends in <c>\n</c> and so prints an
    /// extra empty line after that warning.
    /// </summary>
    public static string? WarningFor(in ApiQuery query, ApiQueryError error) => error switch
    {
        ApiQueryError.BadMagic => $"Query with bad magic (0x{query.Magic:x}).",
        ApiQueryError.UnknownAddressType => $"Query with unknown address type {query.AddressType}.\n",
        _ => null,
    };
}
