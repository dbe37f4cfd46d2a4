using System.Globalization;

namespace P0fSharp.Engine;

/// <summary>
/// What the engine did with the packets it was given, and in particular what it dropped or
/// evicted under p0f's limits; read for the daemon's statistics lines and <c>--stats</c>.
/// </summary>
public sealed class EngineCounters
{
    public long PacketsSeen;

    /// <summary>Frames the decoder rejected (not IPv4/IPv6 TCP, malformed, truncated).</summary>
    public long PacketsDropped;
    public long SynFingerprinted;
    public long SynAckFingerprinted;
    public long FlowsCreated;

    /// <summary>Flows removed because the connection cap (<c>-m c,…</c>) was exceeded.</summary>
    public long FlowsEvicted;

    /// <summary>Flows removed because they were older than the connection age (<c>-t c,…</c>).</summary>
    public long FlowsExpired;
    public long HostsCreated;

    /// <summary>Hosts removed because the host cap (<c>-m …,h</c>) was exceeded.</summary>
    public long HostsEvicted;

    /// <summary>
    /// Host-cap overflows where p0f's rule removed nothing: it only ever looks at the least
    /// recently seen host, and keeps it while a flow still uses it.
    /// </summary>
    public long HostEvictionsBlocked;

    /// <summary>Hosts removed after the idle limit (<c>-t …,h</c>).</summary>
    public long HostsExpired;

    /// <summary>In-flow segments ignored because they were not the next expected sequence number.</summary>
    public long SegmentsOutOfSequence;
    public long HttpRequestsFingerprinted;
    public long HttpResponsesFingerprinted;

    /// <summary>
    /// Flows recognised as HTTP whose headers p0f gave up on before the end of the header block:
    /// more than 32 headers, an over-long name or value, a malformed line, or a full 8 KiB buffer.
    /// </summary>
    public long HttpAbandoned;

    /// <summary>One line of all counters plus the current table sizes, for humans.</summary>
    public string Describe(int hosts, int flows) => string.Create(CultureInfo.InvariantCulture,
        $"packets {PacketsSeen} (undecodable {PacketsDropped}), SYN {SynFingerprinted}, SYN+ACK {SynAckFingerprinted}, "
        + $"HTTP requests {HttpRequestsFingerprinted}, responses {HttpResponsesFingerprinted}, abandoned {HttpAbandoned}; "
        + $"flows {flows} now, {FlowsCreated} created, {FlowsEvicted} evicted (cap), {FlowsExpired} expired (age), "
        + $"{SegmentsOutOfSequence} out-of-sequence segments ignored; hosts {hosts} now, {HostsCreated} created, "
        + $"{HostsEvicted} evicted (cap), {HostEvictionsBlocked} cap overflows with the oldest host in use, "
        + $"{HostsExpired} expired (idle)");
}
