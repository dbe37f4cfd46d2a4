namespace P0fSharp.Signatures.Tcp;

/// <summary>p0f's guess of the hop count when no signature tells the initial TTL.</summary>
public static class TtlDistance
{
    /// <summary>Distances above this are "excess" (MAX_DIST): fuzzy, <c>+?</c>, <c>excess_dist</c>.</summary>
    public const int MaxDistance = 35;

    /// <summary>Distance to the next of the usual initial TTLs 32, 64, 128, 255.</summary>
    public static byte Guess(byte ttl) => ttl switch
    {
        <= 32 => (byte)(32 - ttl),
        <= 64 => (byte)(64 - ttl),
        <= 128 => (byte)(128 - ttl),
        _ => (byte)(255 - ttl),
    };
}
