using P0fSharp.Signatures.Text;

namespace P0fSharp.Signatures.Tcp;

/// <summary>Formats the <c>params</c> field of a syn / syn+ack observation.</summary>
public static class TcpParams
{
    /// <summary>A buffer of this size always fits the result.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// <c>generic fuzzy random_ttl excess_dist tos:0xNN</c> (those that apply, in this order)
    /// or <c>none</c>. The first three are only printed for an actual match.
    /// </summary>
    public static bool TryFormat(in TcpMatchResult match, in TcpFingerprint fp, Span<char> destination, out int written)
    {
        var w = new SpanWriter(destination);
        bool any = false;
        TcpSignature? sig = match.Signature;

        if (sig is not null)
        {
            if (sig.Label.IsGeneric)
            {
                Word(ref w, ref any, "generic");
            }

            if (match.Fuzzy)
            {
                Word(ref w, ref any, "fuzzy");
            }

            if (sig.BadTtl)
            {
                Word(ref w, ref any, "random_ttl");
            }
        }

        if (match.Distance > TtlDistance.MaxDistance)
        {
            Word(ref w, ref any, "excess_dist");
        }

        if (fp.Tos != 0)
        {
            Word(ref w, ref any, "tos:0x");
            w.AppendHex2(fp.Tos);
        }

        if (!any)
        {
            w.Append("none");
        }

        written = w.Written;
        return w.Ok;
    }

    private static void Word(ref SpanWriter w, ref bool any, string word)
    {
        if (any)
        {
            w.Append(' ');
        }

        w.Append(word);
        any = true;
    }
}
