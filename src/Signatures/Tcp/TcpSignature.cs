using System.Globalization;
using System.Text;

namespace P0fSharp.Signatures.Tcp;

/// <summary>One <c>sig</c> line of a <c>[tcp:request]</c> or <c>[tcp:response]</c> section.</summary>
public sealed class TcpSignature
{
    internal TcpSignature(
        SignatureLabel label,
        int line,
        bool isResponse,
        int ipVersion,
        byte ttl,
        bool badTtl,
        byte ipOptionLength,
        int mss,
        TcpWindowType windowType,
        int windowValue,
        int windowScale,
        TcpOptionLayout layout,
        byte eolPadding,
        TcpQuirks quirks,
        int payloadClass)
    {
        Label = label;
        Line = line;
        IsResponse = isResponse;
        IpVersion = ipVersion;
        Ttl = ttl;
        BadTtl = badTtl;
        IpOptionLength = ipOptionLength;
        Mss = mss;
        WindowType = windowType;
        WindowValue = windowValue;
        WindowScale = windowScale;
        Layout = layout;
        EolPadding = eolPadding;
        Quirks = quirks;
        PayloadClass = payloadClass;
    }

    public SignatureLabel Label { get; }

    /// <summary>Line of the <c>sig</c> statement in the database file.</summary>
    public int Line { get; }

    /// <summary>True for <c>[tcp:response]</c> (SYN+ACK) signatures.</summary>
    public bool IsResponse { get; }

    /// <summary>4, 6, or -1 for <c>*</c>. Only affects quirk masking; p0f never compares it.</summary>
    public int IpVersion { get; }

    /// <summary>Initial TTL (for <c>D+A</c> already summed).</summary>
    public byte Ttl { get; }

    /// <summary><c>D-</c>: the sender randomises its TTL; the observed TTL just has to be ≤ <see cref="Ttl"/>.</summary>
    public bool BadTtl { get; }

    public byte IpOptionLength { get; }

    /// <summary>MSS, or -1 for <c>*</c>.</summary>
    public int Mss { get; }

    public TcpWindowType WindowType { get; }

    /// <summary>Literal window, the <c>%</c> divisor or the multiplier; 0 for <c>*</c>.</summary>
    public int WindowValue { get; }

    /// <summary>Window scale, or -1 for <c>*</c>.</summary>
    public int WindowScale { get; }

    public TcpOptionLayout Layout { get; }

    /// <summary>The P of <c>eol+P</c> (0 when the layout has no EOL).</summary>
    public byte EolPadding { get; }

    public TcpQuirks Quirks { get; }

    /// <summary>-1 for <c>*</c>, 0 for <c>0</c>, 1 for <c>+</c>.</summary>
    public int PayloadClass { get; }

    /// <summary>
    /// The signature in database syntax, normalised (e.g. <c>50+14</c> prints as <c>64</c>).
    /// Not used on hot paths.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder(64);
        sb.Append(IpVersion == -1 ? "*" : IpVersion.ToString(CultureInfo.InvariantCulture)).Append(':');
        sb.Append(Ttl.ToString(CultureInfo.InvariantCulture));
        if (BadTtl)
        {
            sb.Append('-');
        }

        sb.Append(':').Append(IpOptionLength.ToString(CultureInfo.InvariantCulture)).Append(':');
        sb.Append(Mss == -1 ? "*" : Mss.ToString(CultureInfo.InvariantCulture)).Append(':');
        string win = WindowValue.ToString(CultureInfo.InvariantCulture);
        sb.Append(WindowType switch
        {
            TcpWindowType.Any => "*",
            TcpWindowType.Modulo => "%" + win,
            TcpWindowType.Mss => "mss*" + win,
            TcpWindowType.Mtu => "mtu*" + win,
            _ => win,
        });
        sb.Append(',').Append(WindowScale == -1 ? "*" : WindowScale.ToString(CultureInfo.InvariantCulture)).Append(':');
        Span<char> buffer = stackalloc char[TcpRawSignature.MaxLayoutLength];
        if (TcpRawSignature.TryFormatLayout(Layout, EolPadding, buffer, out int n))
        {
            sb.Append(buffer[..n]);
        }

        sb.Append(':');
        if (TcpRawSignature.TryFormatQuirks(Quirks, buffer, out n))
        {
            sb.Append(buffer[..n]);
        }

        sb.Append(':').Append(PayloadClass switch { -1 => '*', 0 => '0', _ => '+' });
        return sb.ToString();
    }
}
