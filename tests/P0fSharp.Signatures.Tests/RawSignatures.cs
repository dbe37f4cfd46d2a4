using System.Globalization;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Signatures.Tests;

/// <summary>
/// Test helper: rebuilds a <see cref="TcpFingerprint"/> from a p0f <c>raw_sig</c> string.
/// For <c>mss*N</c>/<c>mtu*N</c> it picks a window that p0f's divisor search maps back to
/// the same text, so formatting the result must give the input again.
/// </summary>
internal static class RawSignatures
{
    public static TcpFingerprint ToFingerprint(string raw, bool synAck, ushort synMss, byte tos = 0)
    {
        string[] f = raw.Split(':');
        if (f.Length != 8)
        {
            throw new FormatException("raw_sig needs 8 fields: " + raw);
        }

        var fp = new TcpFingerprint
        {
            IpVersion = byte.Parse(f[0], CultureInfo.InvariantCulture),
            Ttl = byte.Parse(f[1][..f[1].IndexOf('+', StringComparison.Ordinal)], CultureInfo.InvariantCulture),
            IpOptionLength = byte.Parse(f[2], CultureInfo.InvariantCulture),
            Mss = f[3] == "*" ? TcpRawSignature.SendSynMss : ushort.Parse(f[3], CultureInfo.InvariantCulture),
            HasPayload = f[7] == "+",
            Tos = tos,
        };

        int optionBytes = 0;
        if (f[5].Length > 0)
        {
            foreach (string item in f[5].Split(','))
            {
                (byte kind, int size) = item switch
                {
                    "nop" => ((byte)1, 1),
                    "mss" => ((byte)2, 4),
                    "ws" => ((byte)3, 3),
                    "sok" => ((byte)4, 2),
                    "sack" => ((byte)5, 10),
                    "ts" => ((byte)8, 10),
                    _ when item.StartsWith("eol+", StringComparison.Ordinal) => ((byte)0, 1 + int.Parse(item[4..], CultureInfo.InvariantCulture)),
                    _ when item.StartsWith('?') => (byte.Parse(item[1..], CultureInfo.InvariantCulture), 2),
                    _ => throw new FormatException("option " + item),
                };
                if (kind == 0)
                {
                    fp.EolPadding = (byte)(size - 1);
                }

                fp.Layout.TryAdd(kind);
                optionBytes += size;
            }
        }

        if (f[6].Length > 0)
        {
            foreach (string q in f[6].Split(','))
            {
                int bit = TcpQuirkNames.ByBit.IndexOf(q);
                if (bit < 0)
                {
                    throw new FormatException("quirk " + q);
                }

                fp.Quirks |= (TcpQuirks)(1u << bit);
            }
        }

        bool hasTs = false;
        for (int i = 0; i < fp.Layout.Count; i++)
        {
            hasTs |= fp.Layout[i] == 8;
        }

        fp.Ts1 = hasTs && (fp.Quirks & TcpQuirks.Ts1Minus) == 0 ? 12345u : 0u;
        fp.TotalHeaderLength = (ushort)((fp.IpVersion == 4 ? 20 + fp.IpOptionLength : 40) + 20 + ((optionBytes + 3) & ~3));

        string[] win = f[4].Split(',');
        fp.WindowScale = byte.Parse(win[1], CultureInfo.InvariantCulture);
        fp.Window = ChooseWindow(fp, win[0], synMss);
        return fp;
    }

    private static ushort ChooseWindow(TcpFingerprint fp, string text, ushort synMss)
    {
        bool mss = text.StartsWith("mss*", StringComparison.Ordinal);
        bool mtu = text.StartsWith("mtu*", StringComparison.Ordinal);
        if (!mss && !mtu)
        {
            return ushort.Parse(text, CultureInfo.InvariantCulture);
        }

        int n = int.Parse(text[4..], CultureInfo.InvariantCulture);
        int[] bases = mss
            ? [fp.Mss, fp.Mss - 12, 1460, 1448, 1440, 1428, synMss, synMss - 12]
            : [fp.Mss + 40, fp.Mss + fp.TotalHeaderLength, fp.Mss + 60, 1500];
        foreach (int b in bases)
        {
            long window = (long)b * n;
            if (b <= 0 || window > ushort.MaxValue)
            {
                continue;
            }

            fp.Window = (ushort)window;
            if (WindowMultiplier.Detect(fp, synMss, out int m, out bool mtuBased) && m == n && mtuBased == mtu)
            {
                return fp.Window;
            }
        }

        throw new FormatException("no window reproduces " + text);
    }
}
