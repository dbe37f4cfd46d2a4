using P0fSharp.Signatures.Database;

namespace P0fSharp.Signatures.Tcp;

/// <summary>
/// Parses the value of a TCP <c>sig</c> line strictly left to right, the way p0f's
/// tcp_register_sig does, including its quirks (atol() semantics, the <c>D-:</c> form
/// skipping one extra byte, prefix matching of option and quirk names).
/// </summary>
internal static class TcpSignatureParser
{
    private static readonly (byte[] Name, TcpQuirks Quirk, int Restrict)[] QuirkTable =
    [
        ("df"u8.ToArray(), TcpQuirks.Df, 6),
        ("id+"u8.ToArray(), TcpQuirks.IdPlus, 6),
        ("id-"u8.ToArray(), TcpQuirks.IdMinus, 6),
        ("ecn"u8.ToArray(), TcpQuirks.Ecn, 0),
        ("0+"u8.ToArray(), TcpQuirks.ZeroPlus, 6),
        ("flow"u8.ToArray(), TcpQuirks.Flow, 4),
        ("seq-"u8.ToArray(), TcpQuirks.SeqMinus, 0),
        ("ack+"u8.ToArray(), TcpQuirks.AckPlus, 0),
        ("ack-"u8.ToArray(), TcpQuirks.AckMinus, 0),
        ("uptr+"u8.ToArray(), TcpQuirks.UptrPlus, 0),
        ("urgf+"u8.ToArray(), TcpQuirks.UrgfPlus, 0),
        ("pushf+"u8.ToArray(), TcpQuirks.PushfPlus, 0),
        ("ts1-"u8.ToArray(), TcpQuirks.Ts1Minus, 0),
        ("ts2+"u8.ToArray(), TcpQuirks.Ts2Plus, 0),
        ("opt+"u8.ToArray(), TcpQuirks.OptPlus, 0),
        ("exws"u8.ToArray(), TcpQuirks.Exws, 0),
        ("bad"u8.ToArray(), TcpQuirks.Bad, 0),
    ];

    /// <param name="line">The whole line; <paramref name="p"/> is where the value starts.</param>
    public static TcpSignature Parse(in LineText line, int p, int lineNo, SignatureLabel label, bool isResponse)
    {
        int version = line.At(p) switch
        {
            (byte)'4' => 4,
            (byte)'6' => 6,
            (byte)'*' => -1,
            _ => throw ParseFailure.InLine("Unrecognized IP version", lineNo),
        };

        if (line.At(p + 1) != ':')
        {
            throw Malformed(lineNo);
        }

        p += 2;

        // Initial TTL: D:, D-: (random TTL) or D+A:.
        int n = SkipDigits(line, p);
        byte after = line.At(n);
        if (after != ':' && after != '+' && after != '-')
        {
            throw Malformed(lineNo);
        }

        int ttl = CText.Atol32(line, p);
        if (ttl < 1 || ttl > 255)
        {
            throw ParseFailure.InLine("Bogus initial TTL", lineNo);
        }

        bool badTtl = false;
        p = n + 1;
        if (after == '-' && line.At(n + 1) == ':')
        {
            // p0f steps over "-:" and then one more byte (the first of the olen field).
            badTtl = true;
            p += 2;
        }
        else if (after == '+')
        {
            n = SkipDigits(line, n + 1);
            if (line.At(n) != ':')
            {
                throw Malformed(lineNo);
            }

            int add = CText.Atol32(line, p);
            int sum = unchecked(ttl + add);
            if (add < 0 || sum > 255)
            {
                throw ParseFailure.InLine("Bogus initial TTL", lineNo);
            }

            ttl = sum;
            p = n + 1;
        }

        int olen = ReadNumber(line, ref p, ':', lineNo);
        if (olen < 0 || olen > 255)
        {
            throw ParseFailure.InLine("Bogus IP option length", lineNo);
        }

        int mss;
        if (line.At(p) == '*' && line.At(p + 1) == ':')
        {
            mss = -1;
            p += 2;
        }
        else
        {
            mss = ReadNumber(line, ref p, ':', lineNo);
            if (mss < 0 || mss > 65535)
            {
                throw ParseFailure.InLine("Bogus MSS", lineNo);
            }
        }

        TcpWindowType windowType;
        int window;
        if (line.At(p) == '*' && line.At(p + 1) == ',')
        {
            windowType = TcpWindowType.Any;
            window = 0;
            p += 2;
        }
        else if (line.At(p) == '%')
        {
            windowType = TcpWindowType.Modulo;
            p++;
            window = ReadNumber(line, ref p, ',', lineNo);
            if (window < 2 || window > 65535)
            {
                throw ParseFailure.InLine("Bogus '%' value", lineNo);
            }
        }
        else if (line.StartsWith(p, "mss*"u8) || line.StartsWith(p, "mtu*"u8))
        {
            windowType = line.At(p + 1) == 's' ? TcpWindowType.Mss : TcpWindowType.Mtu;
            p += 4;
            window = ReadNumber(line, ref p, ',', lineNo);
            if (window < 1 || window > 1000)
            {
                throw ParseFailure.InLine("Bogus MSS/MTU multiplier", lineNo);
            }
        }
        else
        {
            windowType = TcpWindowType.Normal;
            window = ReadNumber(line, ref p, ',', lineNo);
            if (window < 0 || window > 65535)
            {
                throw ParseFailure.InLine("Bogus window size", lineNo);
            }
        }

        int scale;
        if (line.At(p) == '*' && line.At(p + 1) == ':')
        {
            scale = -1;
            p += 2;
        }
        else
        {
            scale = ReadNumber(line, ref p, ':', lineNo);
            if (scale < 0 || scale > 255)
            {
                throw ParseFailure.InLine("Bogus window scale", lineNo);
            }
        }

        TcpOptionLayout layout = default;
        int eolPad = ParseLayout(line, ref p, lineNo, ref layout);
        TcpQuirks quirks = ParseQuirks(line, ref p, lineNo, version);

        int payloadClass;
        if (line.RestEquals(p, "*"u8))
        {
            payloadClass = -1;
        }
        else if (line.RestEquals(p, "0"u8))
        {
            payloadClass = 0;
        }
        else if (line.RestEquals(p, "+"u8))
        {
            payloadClass = 1;
        }
        else
        {
            throw ParseFailure.InLine("Malformed payload class", lineNo);
        }

        return new TcpSignature(
            label, lineNo, isResponse, version, unchecked((byte)ttl), badTtl, (byte)olen, mss,
            windowType, window, scale, layout, (byte)eolPad, quirks, payloadClass);
    }

    private static int ParseLayout(in LineText line, ref int p, int lineNo, ref TcpOptionLayout layout)
    {
        int eolPad = 0;
        while (line.At(p) != ':')
        {
            if (layout.Count >= TcpOptionLayout.MaxOptions)
            {
                throw ParseFailure.InLine("Too many TCP options", lineNo);
            }

            if (line.StartsWith(p, "eol"u8))
            {
                layout.TryAdd(0);
                p += 3;
                if (line.At(p) != '+')
                {
                    throw ParseFailure.InLine("Malformed EOL option", lineNo);
                }

                p++;
                int n = SkipDigits(line, p);
                if (line.At(n) == 0)
                {
                    throw ParseFailure.InLine("Truncated options", lineNo);
                }

                if (line.At(n) != ':')
                {
                    throw ParseFailure.InLine("EOL must be the last option", lineNo);
                }

                eolPad = CText.Atol32(line, p);
                if (eolPad < 0 || eolPad > 255)
                {
                    throw ParseFailure.InLine("Bogus EOL padding", lineNo);
                }

                p = n;
            }
            else if (line.StartsWith(p, "nop"u8))
            {
                layout.TryAdd(1);
                p += 3;
            }
            else if (line.StartsWith(p, "mss"u8))
            {
                layout.TryAdd(2);
                p += 3;
            }
            else if (line.StartsWith(p, "ws"u8))
            {
                layout.TryAdd(3);
                p += 2;
            }
            else if (line.StartsWith(p, "sok"u8))
            {
                layout.TryAdd(4);
                p += 3;
            }
            else if (line.StartsWith(p, "sack"u8))
            {
                layout.TryAdd(5);
                p += 4;
            }
            else if (line.StartsWith(p, "ts"u8))
            {
                layout.TryAdd(8);
                p += 2;
            }
            else if (line.At(p) == '?')
            {
                p++;
                int n = SkipDigits(line, p);
                if (line.At(n) != ':' && line.At(n) != ',')
                {
                    throw ParseFailure.InLine("Malformed '?' option", lineNo);
                }

                int kind = CText.Atol32(line, p);
                if (kind < 0 || kind > 255)
                {
                    throw ParseFailure.InLine("Bogus '?' option", lineNo);
                }

                layout.TryAdd((byte)kind);
                p = n;
            }
            else
            {
                throw ParseFailure.InLine("Unrecognized TCP option", lineNo);
            }

            if (line.At(p) == ':')
            {
                break;
            }

            if (line.At(p) != ',')
            {
                throw ParseFailure.InLine("Malformed TCP options", lineNo);
            }

            p++;
        }

        p++;
        return eolPad;
    }

    private static TcpQuirks ParseQuirks(in LineText line, ref int p, int lineNo, int version)
    {
        TcpQuirks quirks = TcpQuirks.None;
        while (line.At(p) != ':')
        {
            int match = -1;
            for (int i = 0; i < QuirkTable.Length; i++)
            {
                if (line.StartsWith(p, QuirkTable[i].Name))
                {
                    match = i;
                    break;
                }
            }

            if (match < 0)
            {
                throw ParseFailure.InLine("Unrecognized quirk", lineNo);
            }

            (byte[] name, TcpQuirks quirk, int restrict) = QuirkTable[match];
            if (restrict != 0 && version == restrict)
            {
                string quirkName = System.Text.Encoding.ASCII.GetString(name);
                throw ParseFailure.InLine($"'{quirkName}' is not valid for IPv{restrict}", lineNo);
            }

            quirks |= quirk;
            p += name.Length;

            if (line.At(p) == ':')
            {
                break;
            }

            if (line.At(p) != ',')
            {
                throw ParseFailure.InLine("Malformed quirks", lineNo);
            }

            p++;
        }

        p++;
        return quirks;
    }

    /// <summary>A digit run that must end in <paramref name="terminator"/>; returns atol() of it.</summary>
    private static int ReadNumber(in LineText line, ref int p, char terminator, int lineNo)
    {
        int n = SkipDigits(line, p);
        if (line.At(n) != terminator)
        {
            throw Malformed(lineNo);
        }

        int value = CText.Atol32(line, p);
        p = n + 1;
        return value;
    }

    private static int SkipDigits(in LineText line, int p)
    {
        while (CText.IsDigit(line.At(p)))
        {
            p++;
        }

        return p;
    }

    private static ParseFailure Malformed(int lineNo) => ParseFailure.InLine("Malformed signature", lineNo);
}
