using P0fSharp.Engine.Packets;

namespace P0fSharp.Engine.Tracking;

/// <summary>
/// Hash codes for the flow and host tables, whose keys (addresses, ports) are chosen by
/// whoever sends packets. Each field is multiplied by its own odd factor drawn when the
/// process starts, so sources that share a bucket cannot be worked out in advance, then the
/// sum is mixed so that every bit reaches the low bits the tables index with. About a tenth
/// of an offline run went into <see cref="HashCode"/>'s general-purpose combining before.
/// </summary>
internal static class KeyedHash
{
    private static readonly ulong ClientHigh = DrawOdd();
    private static readonly ulong ClientLow = DrawOdd();
    private static readonly ulong ServerHigh = DrawOdd();
    private static readonly ulong ServerLow = DrawOdd();
    private static readonly ulong Small = DrawOdd();

    public static int Of(in HostAddress address) =>
        Finish(address.High * ClientHigh + address.Low * ClientLow + (address.Version + 1UL) * Small);

    public static int Of(in FlowKey key) =>
        Finish(key.Client.High * ClientHigh + key.Client.Low * ClientLow
            + key.Server.High * ServerHigh + key.Server.Low * ServerLow
            + (((ulong)key.Client.Version << 40 | (ulong)key.ClientPort << 16 | key.ServerPort) + 1) * Small);

    private static int Finish(ulong h)
    {
        h ^= h >> 32;
        h *= 0xD6E8FEB86659FD93UL;
        h ^= h >> 32;
        return (int)h;
    }

    private static ulong DrawOdd() => (ulong)Random.Shared.NextInt64() << 1 | 1;
}
