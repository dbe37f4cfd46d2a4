using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using P0fSharp.Api;
using P0fSharp.Capture;
using P0fSharp.Engine;
using P0fSharp.Engine.Observations;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Benchmarks;

/// <summary>
/// Answering one p0f v3 API query without the socket (<see cref="ApiProtocol.Answer"/>: parse the
/// 21-byte query, look the host up in the engine under its lock, write the 232-byte answer), for
/// a host the engine has fingerprinted and for an unknown one.
/// </summary>
[MemoryDiagnoser]
public class ApiBenchmarks
{
    private readonly byte[] _knownQuery = new byte[ApiProtocol.QuerySize];
    private readonly byte[] _unknownQuery = new byte[ApiProtocol.QuerySize];
    private readonly byte[] _response = new byte[ApiProtocol.ResponseSize];
    private TrafficEngine _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        _engine = new TrafficEngine(Database.Stock, new EngineOptions(), new DiscardSink());
        var decoder = new PacketDecoder(LinkTypes.Ethernet);
        byte[] syn = Frames.LinuxSyn();
        var packet = default(DecodedPacket);
        var status = decoder.Decode(syn, syn.Length, ref packet);
        _engine.Process(new PacketTime(1_700_000_000, 0), ref packet, status == DecodeStatus.Ok);

        WriteQuery(_knownQuery, Frames.ClientAddress);
        WriteQuery(_unknownQuery, [198, 18, 200, 1]);
        if (AnswerKnownHost() != ApiStatus.Ok || AnswerUnknownHost() != ApiStatus.NoMatch)
        {
            throw new InvalidOperationException("unexpected API answers");
        }
    }

    [Benchmark(Baseline = true)]
    public ApiStatus AnswerKnownHost() =>
        ApiProtocol.Answer(_knownQuery, _response, _engine, out _, out _);

    [Benchmark]
    public ApiStatus AnswerUnknownHost() =>
        ApiProtocol.Answer(_unknownQuery, _response, _engine, out _, out _);

    private static void WriteQuery(byte[] query, byte[] ipv4)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(query, ApiProtocol.QueryMagic);
        query[4] = ApiProtocol.AddressTypeIPv4;
        ipv4.CopyTo(query, 5);
    }

    private sealed class DiscardSink : IObservationSink
    {
        public void Write(in Observation observation)
        {
        }
    }
}
