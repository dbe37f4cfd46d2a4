using System.Numerics;

namespace P0fSharp.Engine.Tracking;

/// <summary>
/// p0f's 32-slot shift register of recent NAT / host-change scores. p0f only ever asks how
/// many slots reach 1, 2, 3 and 6, so a slot is kept as a level (0, 1, 2, 3-5, 6+) spread over
/// three bit planes: 12 bytes per ring instead of 32, and the counts are popcounts.
/// </summary>
internal struct NatScores
{
    public const int Slots = 32;

    // Level bits: 0 = 000, 1 = 001, 2 = 010, 3..5 = 011, 6+ = 100. Bit 0 of each plane is the
    // newest slot; shifting left drops the oldest, as p0f's memmove does.
    private uint _plane0;
    private uint _plane1;
    private uint _plane2;

    public void Push(byte score)
    {
        uint level = score >= 6 ? 4u : score >= 3 ? 3u : score;
        _plane0 = (_plane0 << 1) | (level & 1);
        _plane1 = (_plane1 << 1) | ((level >> 1) & 1);
        _plane2 = (_plane2 << 1) | (level >> 2);
    }

    public void Clear() => _plane0 = _plane1 = _plane2 = 0;

    /// <summary>Slots scoring at least 6, 3, 2 and 1 (p0f's over_5, over_2, over_1, over_0).</summary>
    public readonly void Count(out uint atLeast6, out uint atLeast3, out uint atLeast2, out uint atLeast1)
    {
        atLeast6 = (uint)BitOperations.PopCount(_plane2);
        atLeast3 = (uint)BitOperations.PopCount(_plane2 | (_plane1 & _plane0));
        atLeast2 = (uint)BitOperations.PopCount(_plane2 | _plane1);
        atLeast1 = (uint)BitOperations.PopCount(_plane2 | _plane1 | _plane0);
    }
}
