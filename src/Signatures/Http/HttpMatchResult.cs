namespace P0fSharp.Signatures.Http;

/// <summary>Outcome of matching an HTTP request or response.</summary>
public readonly struct HttpMatchResult
{
    public HttpMatchResult(HttpSignature? signature, bool dishonest)
    {
        Signature = signature;
        Dishonest = dishonest;
    }

    /// <summary>The matched signature, or null (p0f prints <c>app=???</c>).</summary>
    public HttpSignature? Signature { get; }

    /// <summary>The software string does not contain the signature's expected software.</summary>
    public bool Dishonest { get; }

    public bool IsMatch => Signature is not null;

    public bool IsGeneric => Signature?.Label.IsGeneric ?? false;
}
