using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using P0fSharp.Capture;
using P0fSharp.Engine;
using P0fSharp.Host.CommandLine;
using P0fSharp.Host.Output;
using P0fSharp.Signatures;

namespace P0fSharp.Host.Live;

/// <summary>
/// Live mode: opens everything p0f opens before its event loop (capture, filter, log),
/// so start-up errors exit at once with one message, then runs as a generic host
/// (systemd readiness notification, SIGTERM/SIGINT shutdown, SIGHUP reload).
/// </summary>
internal static class LiveDaemon
{
    public static int Run(P0fOptions options, ConsoleReporter console, SignatureDatabase database, string databasePath)
    {
        using var stop = new StopSignals();

        // p0f names the interface before opening it, so a failed open follows that line.
        bool isDefault = options.Interface is null;
        string name = options.Interface
            ?? CaptureInterfaces.DefaultInterfaceName()
            ?? throw new P0fFatalException("libpcap is out of ideas; use -i to specify interface.");
        console.Info(isDefault
            ? $"Intercepting traffic on default interface '{name}'."
            : $"Intercepting traffic on interface '{name}'.");

        LiveCaptureSource source;
        try
        {
            source = LiveCaptureSource.Open(new LiveCaptureOptions
            {
                Interface = name,
                Promiscuous = options.Promiscuous,
                BufferSize = options.KernelBufferMiB * 1024 * 1024,
            });
        }
        catch (CaptureOpenException e)
        {
            throw new P0fFatalException(e.Message, osMessage: e.OsMessage);
        }

        try
        {
            var filter = source.ApplyFilter(options.Filter);
            Console.Out.WriteLine(filter.BannerLine);
        }
        catch (CaptureFilterException e)
        {
            source.Dispose();
            throw Runner.FilterFailure(e);
        }

        LogFile? log = Runner.OpenLog(options, console);

        // Under systemd with the journal on stdout, multi-line observation blocks would become
        // a dozen journal entries each; when -o or -s carries the results they are left out.
        bool blocks = !options.Daemon && !(Journald.StdoutIsJournal && (log != null || options.ApiSocket != null));
        var output = new ObservationOutput(blocks ? Console.OpenStandardOutput() : null, log)
        {
            FlushEachObservation = false,
        };
        var engine = new TrafficEngine(database, Runner.EngineOptionsFrom(options, offline: false), output)
        {
            Warning = console.Warn,
        };
        var decoder = new PacketDecoder(source.LinkType, new DecoderOptions { DecodeVlan = options.DecodeVlan }, console.Warn);

        using var api = ApiHosting.Open(options, engine, console);
        using var reloader = new DatabaseReloader(databasePath, engine, console);
        if (options.User != null)
        {
            Privileges.PrivilegeDrop.SwitchTo(options.User, console);
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "p0fsharp",
            DisableDefaults = true,
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(sp => new CaptureService(
            source, decoder, engine, output, console, sp.GetRequiredService<IHostApplicationLifetime>(), options.StatsIntervalSeconds));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CaptureService>());

        using var host = builder.Build();
        var capture = host.Services.GetRequiredService<CaptureService>();
        var notifier = new ServiceNotifier(console.Warn);
        string status = $"Capturing on '{name}'" + (api is null ? "." : $", answering API queries on '{api.SocketPath}'.");
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(
            () => notifier.Stopping("Shutting down."));
        if (options.Daemon)
        {
            console.Quiet = true;
            host.Start();
            Daemonizer.DetachAndSignalReady();
        }
        else
        {
            console.Info("Entered main event loop.");
            Console.Out.WriteLine();
            Console.Out.Flush();
            host.Start();
        }

        stop.Attach(host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication);
        notifier.Ready(status);
        host.WaitForShutdown();

        // A capture that failed has printed its fatal error; only a requested stop is "user-initiated".
        if (!capture.Failed)
        {
            console.Warn("User-initiated shutdown.");
        }

        output.Dispose();
        if (!options.Daemon && !capture.Failed)
        {
            Console.Out.WriteLine();
            Console.Out.WriteLine($"All done. Processed {capture.PacketsCaptured} packets.");
            Console.Out.Flush();
        }

        return capture.Failed ? 1 : 0;
    }
}
