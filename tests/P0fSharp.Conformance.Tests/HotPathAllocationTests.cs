using System.Diagnostics;
using P0fSharp.Capture;
using P0fSharp.Engine;
using P0fSharp.Engine.Packets;
using P0fSharp.Host.Output;
using P0fSharp.Signatures;
using Xunit;

namespace P0fSharp.Conformance.Tests;

/// <summary>
/// The whole per-packet path — libpcap read, decode, match, track, format and log — must
/// not allocate once tables are warm. Runs a generated SMTP capture through one engine
/// and measures its second half.
/// </summary>
public sealed class HotPathAllocationTests
{
    [Fact]
    public void Warm_path_allocates_nothing_per_packet()
    {
        string repo = RepoPaths.RepoRoot();
        string pcap = Path.Combine(Path.GetTempPath(), $"p0fsharp-alloc-{Environment.ProcessId}.pcap");
        string log = Path.Combine(Path.GetTempPath(), $"p0fsharp-alloc-{Environment.ProcessId}.log");
        try
        {
            // Few hosts, many connections: after the first half every host exists and every
            // flow object comes from the pool, so the second half is the steady state.
            GenerateCapture(pcap, connections: 4000, hosts: 100, seed: 3);
            var database = SignatureDatabase.Load(Path.Combine(repo, "data", "p0f.fp"));
            using var output = new ObservationOutput(Stream.Null, LogFile.Open(log));
            var engine = new TrafficEngine(database, new EngineOptions { OfflineMode = true }, output);

            using var reader = OfflineCaptureReader.Open(pcap);
            reader.ApplyFilter(null);
            var feeder = new Feeder(new PacketDecoder(reader.LinkType), engine, markAt: 18_000);
            var result = reader.ReadAll(ref feeder);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - feeder.AllocatedAtMark;
            long measured = result.Packets - feeder.MarkAt;

            Assert.True(measured > 10_000, $"only {result.Packets} packets read");
            Assert.True(engine.Counters.SynFingerprinted > 3000);
            // The end-of-file result record is the only allocation allowed after the mark.
            Assert.True(allocated < 1024, $"{allocated} bytes allocated for the last {measured} packets");
        }
        finally
        {
            File.Delete(pcap);
            File.Delete(log);
        }
    }

    internal static void GenerateCapture(string path, int connections, int hosts, int seed)
    {
        string generator = Path.Combine(RepoPaths.SharedRoot(), "bench", "gen_pcap.py");
        Assert.True(File.Exists(generator), $"{generator} is missing: the shared tools must sit beside the checkout");
        var psi = new ProcessStartInfo("python3", [generator, path, connections.ToString(), hosts.ToString(), seed.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        process.StandardOutput.ReadToEnd();
        string err = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "gen_pcap.py did not finish");
        Assert.True(process.ExitCode == 0, $"gen_pcap.py failed: {err}");
    }

    /// <summary>Feeds the engine and notes this thread's allocation count at packet <see cref="MarkAt"/>.</summary>
    internal struct Feeder : IPacketHandler
    {
        private readonly EngineFeeder _inner;

        private long _seen;

        public Feeder(PacketDecoder decoder, TrafficEngine engine, long markAt)
        {
            _inner = new EngineFeeder(decoder, engine);
            MarkAt = markAt;
        }

        public long MarkAt { get; }

        public long AllocatedAtMark { get; private set; }

        public void OnPacket(ReadOnlySpan<byte> data, int wireLength, PacketTime time)
        {
            if (++_seen == MarkAt)
            {
                AllocatedAtMark = GC.GetAllocatedBytesForCurrentThread();
            }

            _inner.OnPacket(data, wireLength, time);
        }
    }
}
