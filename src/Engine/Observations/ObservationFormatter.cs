using System.Globalization;
using System.Text;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Engine.Observations;

/// <summary>
/// p0f's two renderings of an observation: the <c>-o</c> log line and the terminal block.
/// Both append to a caller-owned <see cref="StringBuilder"/> that is reused between calls.
/// </summary>
public sealed class ObservationFormatter
{
    private const long OffsetBucketSeconds = 900;

    /// <summary>Room for eight 4-digit hex groups, seven colons, a slash and a 5-digit port.</summary>
    private const int EndpointChars = 64;

    private readonly char[] _client = new char[EndpointChars];
    private readonly char[] _server = new char[EndpointChars];
    private long _cachedSecond = long.MinValue;
    private long _cachedOffsetBucket = long.MinValue;
    private TimeSpan _cachedOffset;
    private readonly char[] _cachedStamp = new char[19];

    /// <summary>
    /// <c>[YYYY/MM/DD HH:MM:SS] mod=…|cli=…|srv=…|subj=…|k=v…</c> plus a newline.
    /// </summary>
    public void AppendLogLine(in Observation o, StringBuilder output)
    {
        output.Append('[');
        output.Append(LocalStamp(o.Time.Seconds));
        output.Append("] mod=").Append(o.Module).Append("|cli=");
        output.Append(FormatEndpoint(_client, o.Client, o.ClientPort));
        output.Append("|srv=");
        output.Append(FormatEndpoint(_server, o.Server, o.ServerPort));
        output.Append("|subj=").Append(o.SubjectIsClient ? "cli" : "srv");
        for (int i = 0; i < o.FieldCount; i++)
        {
            output.Append('|').Append(o.GetKey(i)).Append('=').Append(o.GetValue(i));
        }

        output.Append('\n');
    }

    /// <summary>The human-readable block p0f prints on stdout.</summary>
    public void AppendBlock(in Observation o, StringBuilder output)
    {
        // The subject repeats one of the two endpoints: each is formatted once.
        ReadOnlySpan<char> client = FormatEndpoint(_client, o.Client, o.ClientPort);
        ReadOnlySpan<char> server = FormatEndpoint(_server, o.Server, o.ServerPort);
        output.Append(".-[ ").Append(client).Append(" -> ").Append(server);
        output.Append(" (").Append(o.Module).Append(") ]-\n|\n");
        AppendKey(output, o.SubjectIsClient ? "client" : "server");
        output.Append(o.SubjectIsClient ? client : server).Append('\n');
        for (int i = 0; i < o.FieldCount; i++)
        {
            AppendKey(output, o.GetKey(i));
            output.Append(o.GetValue(i)).Append('\n');
        }

        output.Append("|\n`----\n\n");
    }

    private static void AppendKey(StringBuilder output, string key)
    {
        output.Append("| ").Append(key);
        if (key.Length < 8)
        {
            output.Append(' ', 8 - key.Length);
        }

        output.Append(" = ");
    }

    private static ReadOnlySpan<char> FormatEndpoint(char[] buffer, in HostAddress address, ushort port)
    {
        address.TryFormat(buffer, out int n);
        buffer[n++] = '/';
        DecimalText.TryWrite(port, buffer.AsSpan(n), out int digits);
        return buffer.AsSpan(0, n + digits);
    }

    /// <summary>Packet time in the local zone (TZ honoured), cached per second.</summary>
    private ReadOnlySpan<char> LocalStamp(long unixSeconds)
    {
        if (unixSeconds != _cachedSecond)
        {
            long clamped = Math.Clamp(unixSeconds, -62135596800L + 86400, 253402300799L - 86400);
            var utc = DateTime.UnixEpoch.AddSeconds(clamped);

            // Zone offsets change at most on quarter-hour boundaries; asking the zone once per
            // bucket keeps the per-line cost (and allocations) flat.
            long bucket = Math.DivRem(clamped, OffsetBucketSeconds, out long rem) - (rem < 0 ? 1 : 0);
            if (bucket != _cachedOffsetBucket)
            {
                _cachedOffset = TimeZoneInfo.Local.GetUtcOffset(utc);
                _cachedOffsetBucket = bucket;
            }

            (utc + _cachedOffset).TryFormat(_cachedStamp, out _, "yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture);
            _cachedSecond = unixSeconds;
        }

        return _cachedStamp;
    }
}
