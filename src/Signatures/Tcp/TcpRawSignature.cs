using P0fSharp.Signatures.Text;

namespace P0fSharp.Signatures.Tcp;

/// <summary>
/// Formats p0f's <c>raw_sig</c> for a SYN or SYN+ACK:
/// <c>ver:ttl+dist:olen:mss:wsize,wscale:olayout:quirks:pclass</c>.
/// </summary>
public static class TcpRawSignature
{
    /// <summary>A buffer of this size always fits a raw signature.</summary>
    public const int MaxLength = 256;

    /// <summary>Longest possible option layout text (24 × <c>eol+255</c> or <c>?255</c>).</summary>
    internal const int MaxLayoutLength = 24 * 8;

    /// <summary>The MSS p0f-sendsyn puts in its probes; echoed back, it prints as <c>*</c>.</summary>
    public const ushort SendSynMss = 1331;

    /// <summary>
    /// Writes the raw signature. <paramref name="synMss"/> is the MSS of the flow's SYN when
    /// formatting a SYN+ACK (0 otherwise); it feeds the window-multiplier detection.
    /// </summary>
    public static bool TryFormat(in TcpFingerprint fp, bool synAck, ushort synMss, Span<char> destination, out int written)
    {
        var w = new SpanWriter(destination);
        byte dist = TtlDistance.Guess(fp.Ttl);

        w.Append(fp.IpVersion);
        w.Append(':');
        w.Append(fp.Ttl);
        w.Append('+');
        if (dist > TtlDistance.MaxDistance)
        {
            w.Append('?');
        }
        else
        {
            w.Append(dist);
        }

        w.Append(':');
        w.Append(fp.IpOptionLength);
        w.Append(':');

        if (synAck && fp.Mss == SendSynMss)
        {
            w.Append('*');
        }
        else
        {
            w.Append(fp.Mss);
        }

        w.Append(':');

        if (WindowMultiplier.Detect(fp, synMss, out int multiplier, out bool mtuBased))
        {
            w.Append(mtuBased ? "mtu*" : "mss*");
            w.Append(multiplier);
        }
        else
        {
            w.Append(fp.Window);
        }

        w.Append(',');
        w.Append(fp.WindowScale);
        w.Append(':');
        AppendLayout(ref w, fp.Layout, fp.EolPadding);
        w.Append(':');
        AppendQuirks(ref w, fp.Quirks);
        w.Append(':');
        w.Append(fp.HasPayload ? '+' : '0');

        written = w.Written;
        return w.Ok;
    }

    /// <summary>Option layout as in signatures: <c>mss,nop,ws,sok,sack,ts,eol+P,?K</c>.</summary>
    public static bool TryFormatLayout(in TcpOptionLayout layout, byte eolPadding, Span<char> destination, out int written)
    {
        var w = new SpanWriter(destination);
        AppendLayout(ref w, layout, eolPadding);
        written = w.Written;
        return w.Ok;
    }

    /// <summary>Quirk names comma-joined in p0f's order (empty for none).</summary>
    public static bool TryFormatQuirks(TcpQuirks quirks, Span<char> destination, out int written)
    {
        var w = new SpanWriter(destination);
        AppendQuirks(ref w, quirks);
        written = w.Written;
        return w.Ok;
    }

    private static void AppendLayout(ref SpanWriter w, in TcpOptionLayout layout, byte eolPadding)
    {
        for (int i = 0; i < layout.Count; i++)
        {
            if (i > 0)
            {
                w.Append(',');
            }

            byte kind = layout[i];
            switch (kind)
            {
                case 0:
                    w.Append("eol+");
                    w.Append(eolPadding);
                    break;
                case 1:
                    w.Append("nop");
                    break;
                case 2:
                    w.Append("mss");
                    break;
                case 3:
                    w.Append("ws");
                    break;
                case 4:
                    w.Append("sok");
                    break;
                case 5:
                    w.Append("sack");
                    break;
                case 8:
                    w.Append("ts");
                    break;
                default:
                    w.Append('?');
                    w.Append(kind);
                    break;
            }
        }
    }

    private static void AppendQuirks(ref SpanWriter w, TcpQuirks quirks)
    {
        ReadOnlySpan<string> names = TcpQuirkNames.ByBit;
        bool first = true;
        for (int bit = 0; bit < names.Length; bit++)
        {
            if (((uint)quirks & (1u << bit)) == 0)
            {
                continue;
            }

            if (!first)
            {
                w.Append(',');
            }

            w.Append(names[bit]);
            first = false;
        }
    }
}
