using System.Globalization;
using System.Text;
using P0fSharp.Engine.Packets;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Capture.Tests.Support;

/// <summary>
/// Test-side rendering of p0f's TCP raw_sig (spec §2.6–§2.8) from a decoded packet, so the
/// decoder output can be compared with the real p0f's log lines.
/// </summary>
internal static class RawSig
{
    public static string Format(in TcpFingerprint fp, TcpFlags flags, ushort synMss = 0)
    {
        bool synAck = (flags & (TcpFlags.Syn | TcpFlags.Ack)) == (TcpFlags.Syn | TcpFlags.Ack);
        var s = new StringBuilder();
        s.Append(fp.IpVersion).Append(':').Append(fp.Ttl).Append('+');
        int dist = GuessDistance(fp.Ttl);
        s.Append(dist > 35 ? "?" : dist.ToString(CultureInfo.InvariantCulture));
        s.Append(':').Append(fp.IpOptionLength).Append(':');
        s.Append(synAck && fp.Mss == 1331 ? "*" : fp.Mss.ToString(CultureInfo.InvariantCulture)).Append(':');

        int multiplier = WindowMultiplier(fp, synMss, out bool mtu);
        if (multiplier > 0)
        {
            s.Append(mtu ? "mtu*" : "mss*").Append(multiplier);
        }
        else
        {
            s.Append(fp.Window);
        }

        s.Append(',').Append(fp.WindowScale).Append(':');
        s.Append(Layout(fp)).Append(':').Append(Quirks(fp.Quirks)).Append(':');
        s.Append(fp.HasPayload ? '+' : '0');
        return s.ToString();
    }

    public static string Layout(in TcpFingerprint fp)
    {
        var parts = new List<string>();
        for (int i = 0; i < fp.Layout.Count; i++)
        {
            byte kind = fp.Layout[i];
            parts.Add(kind switch
            {
                0 => "eol+" + fp.EolPadding.ToString(CultureInfo.InvariantCulture),
                1 => "nop",
                2 => "mss",
                3 => "ws",
                4 => "sok",
                5 => "sack",
                8 => "ts",
                _ => "?" + kind.ToString(CultureInfo.InvariantCulture),
            });
        }

        return string.Join(',', parts);
    }

    public static string Quirks(TcpQuirks quirks)
    {
        var parts = new List<string>();
        ReadOnlySpan<string> names = TcpQuirkNames.ByBit;
        for (int bit = 0; bit < names.Length; bit++)
        {
            if (((uint)quirks & (1u << bit)) != 0)
            {
                parts.Add(names[bit]);
            }
        }

        return string.Join(',', parts);
    }

    public static int GuessDistance(byte ttl) => ttl <= 32 ? 32 - ttl : ttl <= 64 ? 64 - ttl : ttl <= 128 ? 128 - ttl : 255 - ttl;

    /// <summary>p0f's detect_win_multi (§2.7).</summary>
    public static int WindowMultiplier(in TcpFingerprint fp, ushort synMss, out bool mtu)
    {
        mtu = false;
        int win = fp.Window;
        int mss = fp.Mss;
        if (win == 0 || mss < 100)
        {
            return -1;
        }

        var divisors = new List<(int Divisor, bool Mtu)> { (mss, false) };
        if (fp.Ts1 != 0)
        {
            divisors.Add((mss - 12, false));
        }

        divisors.Add((1460, false));
        divisors.Add((1448, false));
        if (fp.IpVersion == 6)
        {
            divisors.Add((1440, false));
            divisors.Add((1428, false));
        }

        divisors.Add((mss + 40, true));
        divisors.Add((mss + fp.TotalHeaderLength, true));
        if (fp.IpVersion == 6)
        {
            divisors.Add((mss + 60, true));
        }

        divisors.Add((1500, true));
        if (synMss != 0)
        {
            divisors.Add((synMss, false));
            divisors.Add((synMss - 12, false));
        }

        foreach ((int divisor, bool isMtu) in divisors)
        {
            if (divisor != 0 && win % divisor == 0)
            {
                mtu = isMtu;
                return win / divisor;
            }
        }

        return -1;
    }
}
