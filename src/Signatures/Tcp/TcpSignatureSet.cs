namespace P0fSharp.Signatures.Tcp;

/// <summary>
/// The TCP signatures of one direction, in file order, plus an index by option layout:
/// only signatures with the packet's exact layout can match, so matching only walks those.
/// </summary>
internal sealed class TcpSignatureSet
{
    private readonly Dictionary<TcpOptionLayout, TcpSignature[]> _byLayout;

    public TcpSignatureSet(TcpSignature[] all, Dictionary<TcpOptionLayout, TcpSignature[]> byLayout)
    {
        All = all;
        _byLayout = byLayout;
    }

    public TcpSignature[] All { get; }

    public ReadOnlySpan<TcpSignature> WithLayout(in TcpOptionLayout layout)
        => _byLayout.TryGetValue(layout, out TcpSignature[]? bucket) ? bucket : [];
}
