namespace P0fSharp.Signatures.Tcp;

/// <summary>
/// The packet peculiarities p0f records. The bit order is also the order in which
/// p0f prints them in <c>raw_sig</c>, so formatting can walk the bits low to high.
/// </summary>
[Flags]
public enum TcpQuirks : uint
{
    None = 0,
    Df = 1u << 0,
    IdPlus = 1u << 1,
    IdMinus = 1u << 2,
    Ecn = 1u << 3,
    ZeroPlus = 1u << 4,
    Flow = 1u << 5,
    SeqMinus = 1u << 6,
    AckPlus = 1u << 7,
    AckMinus = 1u << 8,
    UptrPlus = 1u << 9,
    UrgfPlus = 1u << 10,
    PushfPlus = 1u << 11,
    Ts1Minus = 1u << 12,
    Ts2Plus = 1u << 13,
    OptPlus = 1u << 14,
    Exws = 1u << 15,
    Bad = 1u << 16,
}

public static class TcpQuirkNames
{
    /// <summary>Names indexed by bit position, in p0f's print order.</summary>
    public static ReadOnlySpan<string> ByBit => Names;

    private static readonly string[] Names =
    [
        "df", "id+", "id-", "ecn", "0+", "flow", "seq-", "ack+", "ack-",
        "uptr+", "urgf+", "pushf+", "ts1-", "ts2+", "opt+", "exws", "bad",
    ];
}
