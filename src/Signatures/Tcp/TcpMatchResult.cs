namespace P0fSharp.Signatures.Tcp;

/// <summary>
/// Outcome of matching one SYN / SYN+ACK (p0f's matched/fuzzy/dist triple).
/// <see cref="Distance"/> is what p0f prints as <c>dist</c>: the matched signature's TTL minus
/// the observed TTL, or the TTL guess when nothing (or only a TTL-fuzzy candidate) matched,
/// and 0 when the only candidate was a fuzzy application signature.
/// </summary>
public readonly struct TcpMatchResult
{
    public TcpMatchResult(TcpSignature? signature, bool fuzzy, int distance)
    {
        Signature = signature;
        Fuzzy = fuzzy;
        Distance = distance;
    }

    /// <summary>The matched signature, or null (p0f prints <c>???</c>).</summary>
    public TcpSignature? Signature { get; }

    public bool Fuzzy { get; }

    public int Distance { get; }

    public bool IsMatch => Signature is not null;

    public bool IsGeneric => Signature?.Label.IsGeneric ?? false;
}
