using P0fSharp.Engine;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Capture;

/// <summary>
/// Decodes each captured frame and hands it to the engine, undecodable frames included (p0f
/// still counts and ages on them). A struct so the generic capture loops devirtualise the call.
/// </summary>
public readonly struct EngineFeeder : IPacketHandler
{
    private readonly PacketDecoder _decoder;
    private readonly TrafficEngine _engine;

    public EngineFeeder(PacketDecoder decoder, TrafficEngine engine)
    {
        _decoder = decoder;
        _engine = engine;
    }

    public void OnPacket(ReadOnlySpan<byte> data, int wireLength, PacketTime time)
    {
        var packet = default(DecodedPacket);
        var status = _decoder.Decode(data, wireLength, ref packet);
        _engine.Process(time, ref packet, status == DecodeStatus.Ok);
    }
}
