namespace P0fSharp.Engine.Tracking;

/// <summary>
/// Stand-in until an application module is plugged in: like p0f on non-HTTP traffic, it
/// loses interest in a flow at its first payload, which ends the flow.
/// </summary>
internal sealed class NoPayloadAnalyzer : IPayloadAnalyzer
{
    public static readonly NoPayloadAnalyzer Instance = new();

    public void Append(Flow flow, bool toServer, ReadOnlySpan<byte> payload)
    {
    }

    public bool Process(Flow flow, bool toServer, Packets.PacketTime time) => false;

    public bool BuffersFull(Flow flow) => false;
}
