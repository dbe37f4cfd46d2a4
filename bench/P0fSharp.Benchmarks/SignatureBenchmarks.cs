using BenchmarkDotNet.Attributes;
using P0fSharp.Capture;
using P0fSharp.Engine.Packets;
using P0fSharp.Signatures;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Benchmarks;

/// <summary>
/// Matching one SYN fingerprint against data/p0f.fp (<see cref="SignatureDatabase.MatchTcp"/>)
/// and formatting its raw_sig, for a Linux SYN (exact match), a Windows 7 SYN and a SYN that
/// matches nothing (the whole layout bucket is scanned).
/// </summary>
[MemoryDiagnoser]
public class SignatureBenchmarks
{
    private readonly char[] _text = new char[TcpRawSignature.MaxLength];
    private SignatureDatabase _database = null!;
    private TcpFingerprint _fingerprint;

    [Params("linux", "windows7", "unknown")]
    public string Stack { get; set; } = "linux";

    [GlobalSetup]
    public void Setup()
    {
        _database = Database.Stock;
        byte[] frame = Stack switch
        {
            "linux" => Frames.LinuxSyn(),
            "windows7" => Frames.WindowsSyn(),
            _ => Frames.UnknownSyn(),
        };
        var packet = default(DecodedPacket);
        if (new PacketDecoder(LinkTypes.Ethernet).Decode(frame, frame.Length, ref packet) != DecodeStatus.Ok)
        {
            throw new InvalidOperationException("benchmark frame does not decode");
        }

        _fingerprint = packet.Fingerprint;
        bool expectMatch = Stack != "unknown";
        if (MatchTcp().IsMatch != expectMatch)
        {
            throw new InvalidOperationException($"{Stack}: expected match={expectMatch}");
        }
    }

    [Benchmark]
    public TcpMatchResult MatchTcp() => _database.MatchTcp(in _fingerprint, synAck: false, synMss: 0);

    [Benchmark]
    public int FormatRawSig()
    {
        TcpRawSignature.TryFormat(in _fingerprint, synAck: false, synMss: 0, _text, out int written);
        return written;
    }
}
