namespace P0fSharp.Api;

/// <summary>A consistent-enough snapshot of <see cref="ApiServer"/>'s counters (each read atomically).</summary>
public readonly record struct ApiServerCounters
{
    /// <summary>Connections taken off the listen backlog.</summary>
    public long ConnectionsAccepted { get; init; }

    /// <summary>Connections being served now (at most the connection limit).</summary>
    public long ActiveConnections { get; init; }

    /// <summary>Answers with status OK.</summary>
    public long QueriesOk { get; init; }

    /// <summary>Answers with status NOMATCH.</summary>
    public long QueriesNoMatch { get; init; }

    /// <summary>Answers with status BADQUERY.</summary>
    public long QueriesBad { get; init; }

    /// <summary>
    /// Connections that ended other than by the client closing cleanly between queries: a
    /// read or write error (reset, broken pipe), end of stream in the middle of a query, or
    /// the server shutting down while the client was connected.
    /// </summary>
    public long ClientsDropped { get; init; }

    /// <summary>Times the connection limit was reached with a connection waiting in the backlog.</summary>
    public long OverflowEpisodes { get; init; }

    /// <summary>All answers sent, whatever their status.</summary>
    public long QueriesAnswered => QueriesOk + QueriesNoMatch + QueriesBad;
}
