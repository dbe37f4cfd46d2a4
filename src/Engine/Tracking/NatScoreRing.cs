using System.Runtime.CompilerServices;

namespace P0fSharp.Engine.Tracking;

/// <summary>p0f's 32-slot shift register of recent NAT / host-change scores.</summary>
[InlineArray(HostRecord.NatScoreSlots)]
internal struct NatScoreRing
{
    private byte _slot0;
}
