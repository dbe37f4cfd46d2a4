using P0fSharp.Capture;
using P0fSharp.Engine;
using P0fSharp.Engine.Observations;
using P0fSharp.Engine.Packets;
using P0fSharp.Host.Output;
using P0fSharp.Signatures;
using Xunit;

namespace P0fSharp.Conformance.Tests;

/// <summary>
/// Offline runs render on a second thread (<see cref="PipelinedObservationOutput"/>): the bytes
/// must be those of the direct output, in order, whatever the batch and ring boundaries, and a
/// failure on the writer thread must reach the engine's thread instead of hanging it.
/// </summary>
public sealed class PipelinedObservationOutputTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_capture_renders_to_the_same_terminal_and_log_bytes_as_the_direct_output()
    {
        string repo = RepoPaths.RepoRoot();
        string dir = Directory.CreateTempSubdirectory("p0fsharp-pipe-").FullName;
        try
        {
            string pcap = Path.Combine(dir, "smtp.pcap");
            HotPathAllocationTests.GenerateCapture(pcap, connections: 3000, hosts: 500, seed: 11);
            var database = SignatureDatabase.Load(Path.Combine(repo, "data", "p0f.fp"));

            (byte[] directTerminal, long directCount) = Run(pcap, database, Path.Combine(dir, "direct.log"), pipelined: false);
            (byte[] pipedTerminal, long pipedCount) = Run(pcap, database, Path.Combine(dir, "piped.log"), pipelined: true);

            Assert.True(directCount > 10_000, $"only {directCount} observations");
            Assert.Equal(directCount, pipedCount);
            Assert.True(directTerminal.AsSpan().SequenceEqual(pipedTerminal), "terminal output differs");
            Assert.True(File.ReadAllBytes(Path.Combine(dir, "direct.log")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir, "piped.log"))), "-o log differs");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_engine_thread_allocates_nothing_per_packet_with_the_pipeline()
    {
        string repo = RepoPaths.RepoRoot();
        string pcap = Path.Combine(Path.GetTempPath(), $"p0fsharp-pipe-alloc-{Environment.ProcessId}.pcap");
        try
        {
            GenerateWarmCapture(pcap);
            var database = SignatureDatabase.Load(Path.Combine(repo, "data", "p0f.fp"));
            using var output = new ObservationOutput(Stream.Null, log: null);
            using var pipeline = new PipelinedObservationOutput(output);
            var engine = new TrafficEngine(database, new EngineOptions { OfflineMode = true }, pipeline);
            using var reader = OfflineCaptureReader.Open(pcap);
            reader.ApplyFilter(null);
            var feeder = new HotPathAllocationTests.Feeder(new PacketDecoder(reader.LinkType), engine, markAt: 18_000);
            var result = reader.ReadAll(ref feeder);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - feeder.AllocatedAtMark;
            pipeline.Flush();

            Assert.True(result.Packets - feeder.MarkAt > 10_000, $"only {result.Packets} packets read");
            Assert.True(output.ObservationsWritten > 10_000);
            Assert.True(allocated < 1024, $"{allocated} bytes allocated for the last {result.Packets - feeder.MarkAt} packets");
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    [Fact]
    public void Huge_values_many_batches_and_flushes_midway_keep_order()
    {
        using var directStream = new MemoryStream();
        using var pipedStream = new MemoryStream();
        using var direct = new ObservationOutput(directStream, log: null);
        using var pipedOutput = new ObservationOutput(pipedStream, log: null);
        using var pipeline = new PipelinedObservationOutput(pipedOutput);
        var toDirect = new ObservationBuilder(direct);
        var toPipe = new ObservationBuilder(pipeline);

        string huge = new('x', 60_000);
        for (int i = 0; i < 5_000; i++)
        {
            Emit(toDirect, i, i % 997 == 0 ? huge : null);
            Emit(toPipe, i, i % 997 == 0 ? huge : null);
            if (i % 1_500 == 0)
            {
                direct.Flush();
                pipeline.Flush();

                // After Flush the writer is idle and everything so far is in the stream.
                Assert.Equal(directStream.Length, pipedStream.Length);
            }
        }

        direct.Flush();
        pipeline.Flush();
        Assert.Equal(5_000, pipedOutput.ObservationsWritten);
        Assert.True(directStream.ToArray().AsSpan().SequenceEqual(pipedStream.ToArray()));
        pipeline.Dispose();
        pipeline.Dispose();
    }

    [Fact]
    public async Task A_failure_on_the_writer_thread_is_thrown_on_the_engine_thread_not_a_hang()
    {
        var run = Task.Run(() =>
        {
            var output = new ObservationOutput(new RefusingStream(), log: null);
            var pipeline = new PipelinedObservationOutput(output);
            var builder = new ObservationBuilder(pipeline);
            Exception? thrown = null;
            try
            {
                // Enough blocks to fill the terminal buffer many times over.
                for (int i = 0; i < 50_000; i++)
                {
                    Emit(builder, i, value: null);
                }

                pipeline.Flush();
            }
            catch (InvalidOperationException e)
            {
                thrown = e;
            }

            Exception? atDispose = Record.Exception(pipeline.Dispose);
            return (thrown, atDispose);
        });

        (Exception? thrown, Exception? atDispose) = await run.WaitAsync(Bound);
        Assert.NotNull(thrown);
        Assert.Contains("refused", thrown.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(atDispose);
    }

    private static (byte[] Terminal, long Observations) Run(string pcap, SignatureDatabase database, string logPath, bool pipelined)
    {
        using var terminal = new MemoryStream();
        var output = new ObservationOutput(terminal, LogFile.Open(logPath));
        var pipeline = pipelined ? new PipelinedObservationOutput(output) : null;
        var engine = new TrafficEngine(database, new EngineOptions { OfflineMode = true }, pipeline ?? (IObservationSink)output);
        using (var reader = OfflineCaptureReader.Open(pcap))
        {
            reader.ApplyFilter(null);
            var feeder = new EngineFeeder(new PacketDecoder(reader.LinkType), engine);
            reader.ReadAll(ref feeder);
        }

        pipeline?.Dispose();
        output.Dispose();
        return (terminal.ToArray(), output.ObservationsWritten);
    }

    private static void Emit(ObservationBuilder builder, int i, string? value)
    {
        var client = new HostAddress(4, (0xC6120000UL | (uint)(i & 0xFFFF)) << 32, 0);
        var server = new HostAddress(6, 0x20010DB800000000UL, (ulong)i);
        builder.Begin(i % 2 == 0 ? "syn" : "mtu", new PacketTime(1_700_000_000 + i, 0), client, (ushort)(1024 + i), server, 25, toServer: i % 3 != 0);
        builder.Add("os", value ?? $"Linux {i}");
        builder.Add("dist", (uint)(i % 30));
        builder.AddMissing("params");
        builder.Commit();
    }

    private static void GenerateWarmCapture(string path) =>
        HotPathAllocationTests.GenerateCapture(path, connections: 4000, hosts: 100, seed: 3);

    /// <summary>A stdout whose writes fail with something other than an I/O error.</summary>
    private sealed class RefusingStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("write refused");
    }
}
