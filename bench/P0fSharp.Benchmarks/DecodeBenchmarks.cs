using BenchmarkDotNet.Attributes;
using P0fSharp.Capture;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Benchmarks;

/// <summary>One Ethernet/IPv4 frame through the p0f-exact decoder (link, IP, TCP, option walk, quirks).</summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private PacketDecoder _decoder = null!;
    private byte[] _syn = null!;
    private byte[] _synAck = null!;

    [GlobalSetup]
    public void Setup()
    {
        _decoder = new PacketDecoder(LinkTypes.Ethernet);
        _syn = Frames.LinuxSyn();
        _synAck = Frames.LinuxSynAck();
        if (DecodeSyn() != DecodeStatus.Ok || DecodeSynAck() != DecodeStatus.Ok)
        {
            throw new InvalidOperationException("benchmark frames do not decode");
        }
    }

    [Benchmark(Baseline = true)]
    public DecodeStatus DecodeSyn()
    {
        var packet = default(DecodedPacket);
        return _decoder.Decode(_syn, _syn.Length, ref packet);
    }

    [Benchmark]
    public DecodeStatus DecodeSynAck()
    {
        var packet = default(DecodedPacket);
        return _decoder.Decode(_synAck, _synAck.Length, ref packet);
    }
}
