using Microsoft.Extensions.Hosting;
using P0fSharp.Capture;
using P0fSharp.Engine;
using P0fSharp.Host.Output;

namespace P0fSharp.Host.Live;

/// <summary>
/// Runs the libpcap capture loop on its own thread for the lifetime of the host, feeding
/// the engine, flushing output when the wire is idle and logging capture statistics.
/// </summary>
internal sealed class CaptureService : IHostedService, IDisposable
{
    private readonly LiveCaptureSource _source;
    private readonly PacketDecoder _decoder;
    private readonly TrafficEngine _engine;
    private readonly ObservationOutput _output;
    private readonly ConsoleReporter _console;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly int _statsIntervalSeconds;
    private Timer? _statsTimer;
    private volatile bool _stopping;

    public CaptureService(
        LiveCaptureSource source,
        PacketDecoder decoder,
        TrafficEngine engine,
        ObservationOutput output,
        ConsoleReporter console,
        IHostApplicationLifetime lifetime,
        int statsIntervalSeconds)
    {
        _source = source;
        _decoder = decoder;
        _engine = engine;
        _output = output;
        _console = console;
        _lifetime = lifetime;
        _statsIntervalSeconds = statsIntervalSeconds;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var feeder = new EngineFeeder(_decoder, _engine);
        _source.Start(feeder, onTimeout: FlushIdle, completed: OnCaptureEnded);
        if (_statsIntervalSeconds > 0)
        {
            var period = TimeSpan.FromSeconds(_statsIntervalSeconds);
            _statsTimer = new Timer(_ => LogStatistics("periodic"), null, period, period);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _statsTimer?.Dispose();
        _source.Stop(TimeSpan.FromSeconds(5));
        LogStatistics("final");
        lock (_output)
        {
            _output.Flush();
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _statsTimer?.Dispose();
        _source.Dispose();
    }

    public long PacketsCaptured => _source.PacketsCaptured;

    /// <summary>True when the capture ended by itself (interface down, internal error).</summary>
    public bool Failed { get; private set; }

    private void FlushIdle()
    {
        lock (_output)
        {
            _output.Flush();
        }
    }

    private void OnCaptureEnded(CaptureRunResult result)
    {
        if (_stopping)
        {
            return;
        }

        string where = $"capture on '{_source.InterfaceName}'";
        if (result.EndReason == CaptureEndReason.Error)
        {
            _console.Fatal(new CommandLine.P0fFatalException($"Packet capture interface is down. ({result.Error})") { Location = where });
        }
        else if (result.EndReason == CaptureEndReason.CallbackFault)
        {
            _console.Fatal(new CommandLine.P0fFatalException($"Internal error while processing a packet: {result.Fault}") { Location = where });
        }

        Failed = true;
        _lifetime.StopApplication();
    }

    private void LogStatistics(string when)
    {
        try
        {
            var stats = _source.GetStatistics();
            var counters = _engine.Counters;
            Console.Error.WriteLine(
                $"[+] Capture statistics ({when}): received {stats.Received}, dropped by kernel {stats.DroppedByKernel}, " +
                $"dropped by interface {stats.DroppedByInterface}; processed {_source.PacketsCaptured}; engine: " +
                $"{counters.Describe(_engine.HostCount, _engine.FlowCount)}.");
        }
        catch (CaptureOpenException e)
        {
            _console.Warn($"Cannot read capture statistics: {e.Message}");
        }
    }
}
