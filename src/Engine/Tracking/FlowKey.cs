using P0fSharp.Engine.Packets;

namespace P0fSharp.Engine.Tracking;

/// <summary>Client and server endpoints of a flow, oriented by who sent the SYN.</summary>
internal readonly record struct FlowKey(HostAddress Client, HostAddress Server, ushort ClientPort, ushort ServerPort)
{
    public override int GetHashCode() => KeyedHash.Of(this);
}
