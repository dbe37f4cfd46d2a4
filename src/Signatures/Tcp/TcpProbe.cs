namespace P0fSharp.Signatures.Tcp;

/// <summary>
/// The "observed" side of a TCP match. It is either a real packet or, during loading, a new
/// signature checked against earlier ones for duplicates (p0f reuses its matcher for that), so
/// it can carry wildcards (-1) and non-literal window types.
/// </summary>
internal readonly struct TcpProbe
{
    public TcpProbe(in TcpFingerprint fp)
    {
        IpVersion = fp.IpVersion;
        Ttl = fp.Ttl;
        IpOptionLength = fp.IpOptionLength;
        EolPadding = fp.EolPadding;
        Quirks = fp.Quirks;
        Mss = fp.Mss;
        WindowType = TcpWindowType.Normal;
        Window = fp.Window;
        WindowScale = fp.WindowScale;
        PayloadClass = fp.HasPayload ? 1 : 0;
        TotalHeaderLength = fp.TotalHeaderLength;
        Ts1 = fp.Ts1;
    }

    public TcpProbe(TcpSignature sig)
    {
        IpVersion = sig.IpVersion;
        Ttl = sig.Ttl;
        IpOptionLength = sig.IpOptionLength;
        EolPadding = sig.EolPadding;
        Quirks = sig.Quirks;
        Mss = sig.Mss;
        WindowType = sig.WindowType;
        Window = sig.WindowValue;
        WindowScale = sig.WindowScale;
        PayloadClass = sig.PayloadClass;
        TotalHeaderLength = 0;
        Ts1 = 0;
    }

    public int IpVersion { get; }

    public byte Ttl { get; }

    public byte IpOptionLength { get; }

    public byte EolPadding { get; }

    public TcpQuirks Quirks { get; }

    public int Mss { get; }

    public TcpWindowType WindowType { get; }

    public int Window { get; }

    public int WindowScale { get; }

    public int PayloadClass { get; }

    public int TotalHeaderLength { get; }

    public uint Ts1 { get; }
}
