namespace P0fSharp.Engine.Tracking;

/// <summary>
/// What the engine asks of the application-layer module (p0f's HTTP fingerprinting) for
/// in-sequence payload of a tracked flow.
/// </summary>
internal interface IPayloadAnalyzer
{
    /// <summary>Appends in-sequence payload to the direction's buffer (capped by the module).</summary>
    void Append(Flow flow, bool toServer, ReadOnlySpan<byte> payload);

    /// <summary>Analyses buffered data; false when the module has lost interest in the flow.</summary>
    bool Process(Flow flow, bool toServer, Packets.PacketTime time);

    /// <summary>True when neither direction can take more data.</summary>
    bool BuffersFull(Flow flow);
}
