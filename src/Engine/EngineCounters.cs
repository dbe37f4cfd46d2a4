namespace P0fSharp.Engine;

/// <summary>What the engine did with the packets it was given; read for stats lines.</summary>
public sealed class EngineCounters
{
    public long PacketsSeen;
    public long PacketsDropped;
    public long SynFingerprinted;
    public long SynAckFingerprinted;
    public long FlowsCreated;
    public long FlowsEvicted;
    public long FlowsExpired;
    public long HostsCreated;
    public long HostsEvicted;
    public long HostsExpired;
}
