using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using P0fSharp.Capture;
using P0fSharp.Engine;
using P0fSharp.Engine.Observations;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Benchmarks;

/// <summary>
/// A SYN and its SYN+ACK through decode + <see cref="TrafficEngine.Process"/> (flow creation,
/// host lookup, signature match, observation, MTU, uptime/NAT bookkeeping) — once with the
/// observations dropped and once with each one rendered as its <c>-o</c> log line. The same
/// 4-tuple repeats with a new initial sequence number per pair, so every SYN replaces the
/// previous flow (a repeated ISN would be ignored as a duplicate) and every SYN+ACK is
/// fingerprinted; packet time advances 1 ms per packet. Numbers are per pair (about five
/// observations: syn, mtu, syn+ack, mtu, and uptime once timestamps allow).
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private const int TcpOffset = 14 + 20;

    private PacketDecoder _decoder = null!;
    private IObservationSink _silentSink = null!;
    private TrafficEngine _silent = null!;
    private TrafficEngine _logging = null!;
    private byte[] _syn = null!;
    private byte[] _synAck = null!;
    private long _microseconds;
    private uint _isn = Frames.ClientSequence;

    [GlobalSetup]
    public void Setup()
    {
        var options = new EngineOptions { OfflineMode = true };
        _decoder = new PacketDecoder(LinkTypes.Ethernet);
        _silentSink = new DiscardSink();
        _silent = new TrafficEngine(Database.Stock, options, _silentSink);
        _logging = new TrafficEngine(Database.Stock, options, new LogLineSink());
        _syn = Frames.LinuxSyn();
        _synAck = Frames.LinuxSynAck();
        _microseconds = 1_700_000_000L * 1_000_000L;

        var counter = (DiscardSink)_silentSink;
        for (int i = 0; i < 3; i++)
        {
            long before = counter.Count;
            ProcessPair();
            if (counter.Count - before < 2)
            {
                throw new InvalidOperationException("a SYN/SYN+ACK pair did not give both fingerprints");
            }
        }

        ProcessPairAndFormatLog();
        if (_silent.HostCount != 2)
        {
            throw new InvalidOperationException("the SYN/SYN+ACK pair was not tracked");
        }
    }

    [Benchmark(Baseline = true)]
    public int ProcessPair()
    {
        NextIsn();
        Feed(_silent, _syn);
        Feed(_silent, _synAck);
        return _silent.FlowCount;
    }

    [Benchmark]
    public int ProcessPairAndFormatLog()
    {
        NextIsn();
        Feed(_logging, _syn);
        Feed(_logging, _synAck);
        return _logging.FlowCount;
    }

    /// <summary>Gives the SYN a new ISN and makes the SYN+ACK acknowledge it.</summary>
    private void NextIsn()
    {
        _isn += 0x01000193;
        BinaryPrimitives.WriteUInt32BigEndian(_syn.AsSpan(TcpOffset + 4), _isn);
        BinaryPrimitives.WriteUInt32BigEndian(_synAck.AsSpan(TcpOffset + 8), _isn + 1);
    }

    private void Feed(TrafficEngine engine, byte[] frame)
    {
        _microseconds += 1000;
        var time = new PacketTime(_microseconds / 1_000_000, (int)(_microseconds % 1_000_000));
        var packet = default(DecodedPacket);
        var status = _decoder.Decode(frame, frame.Length, ref packet);
        engine.Process(time, ref packet, status == DecodeStatus.Ok);
    }

    private sealed class DiscardSink : IObservationSink
    {
        public long Count { get; private set; }

        public void Write(in Observation observation) => Count++;
    }

    /// <summary>Renders each observation as its log line into a reused builder, as the -o writer does.</summary>
    private sealed class LogLineSink : IObservationSink
    {
        private readonly ObservationFormatter _formatter = new();
        private readonly StringBuilder _line = new(512);

        public void Write(in Observation observation)
        {
            _line.Clear();
            _formatter.AppendLogLine(observation, _line);
        }
    }
}
