namespace P0fSharp.Engine.Packets;

/// <summary>A capture timestamp (p0f uses packet time everywhere, live and offline).</summary>
public readonly record struct PacketTime(long Seconds, int Microseconds)
{
    /// <summary>p0f's millisecond clock: sec*1000 + usec/1000.</summary>
    public ulong Milliseconds => (ulong)(Seconds * 1000 + Microseconds / 1000);
}
