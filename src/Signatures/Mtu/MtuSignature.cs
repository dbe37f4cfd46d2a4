namespace P0fSharp.Signatures.Mtu;

/// <summary>One <c>sig</c> of the <c>[mtu]</c> section: an MTU value and its link description.</summary>
public sealed class MtuSignature
{
    internal MtuSignature(int mtu, string link, int line)
    {
        Mtu = mtu;
        Link = link;
        Line = line;
    }

    /// <summary>1..65535.</summary>
    public int Mtu { get; }

    /// <summary>The MTU label text, verbatim (p0f prints it as <c>link=</c>).</summary>
    public string Link { get; }

    public int Line { get; }

    public override string ToString() => $"{Mtu} ({Link})";
}
