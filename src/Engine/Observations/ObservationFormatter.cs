using System.Globalization;
using System.Text;

namespace P0fSharp.Engine.Observations;

/// <summary>
/// p0f's two renderings of an observation: the <c>-o</c> log line and the terminal block.
/// Both append to a caller-owned <see cref="StringBuilder"/> that is reused between calls.
/// </summary>
public sealed class ObservationFormatter
{
    private readonly char[] _scratch = new char[64];
    private const long OffsetBucketSeconds = 900;
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
        AppendEndpoint(output, o.Client, o.ClientPort);
        output.Append("|srv=");
        AppendEndpoint(output, o.Server, o.ServerPort);
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
        output.Append(".-[ ");
        AppendEndpoint(output, o.Client, o.ClientPort);
        output.Append(" -> ");
        AppendEndpoint(output, o.Server, o.ServerPort);
        output.Append(" (").Append(o.Module).Append(") ]-\n|\n");
        AppendKey(output, o.SubjectIsClient ? "client" : "server");
        if (o.SubjectIsClient)
        {
            AppendEndpoint(output, o.Client, o.ClientPort);
        }
        else
        {
            AppendEndpoint(output, o.Server, o.ServerPort);
        }

        output.Append('\n');
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
        for (int i = key.Length; i < 8; i++)
        {
            output.Append(' ');
        }

        output.Append(" = ");
    }

    private void AppendEndpoint(StringBuilder output, Packets.HostAddress address, ushort port)
    {
        address.TryFormat(_scratch, out int n);
        output.Append(_scratch, 0, n).Append('/');
        port.TryFormat(_scratch, out n, default, CultureInfo.InvariantCulture);
        output.Append(_scratch, 0, n);
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
