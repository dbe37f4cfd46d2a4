using P0fSharp.Capture;
using P0fSharp.Engine;
using P0fSharp.Engine.Observations;
using P0fSharp.Host.CommandLine;
using P0fSharp.Host.Output;
using P0fSharp.Signatures;

namespace P0fSharp.Host;

/// <summary>p0f's start-up sequence (§9.2) and the offline event loop.</summary>
public static class Runner
{
    public static int Run(P0fOptions options, ConsoleReporter console)
    {
        if (options.ListInterfaces)
        {
            Console.Out.Write(CaptureInterfaces.FormatP0fListing(CaptureInterfaces.List()));
            return 0;
        }

        var database = LoadDatabase(options, console);
        if (options.ReadFile is null)
        {
            return Live.LiveDaemon.Run(options, console, database, options.FingerprintFile ?? DefaultDatabasePath);
        }

        return RunOffline(options, console, database);
    }

    public static string DefaultDatabasePath =>
        Path.Combine(AppContext.BaseDirectory, "p0f.fp");

    internal static SignatureDatabase LoadDatabase(P0fOptions options, ConsoleReporter console)
    {
        string path = options.FingerprintFile ?? DefaultDatabasePath;
        SignatureDatabase database;
        try
        {
            database = SignatureDatabase.Load(path);
        }
        catch (SignatureDatabaseException e)
        {
            throw DatabaseFailure(e);
        }

        if (database.SignatureCount == 0)
        {
            console.Note($"No signatures found in '{path}'.");
        }
        else
        {
            console.Info($"Loaded {database.SignatureCount} signature{(database.SignatureCount == 1 ? string.Empty : "s")} from '{path}'.");
        }

        return database;
    }

    internal static P0fFatalException DatabaseFailure(SignatureDatabaseException e) =>
        e.IsSystemError
            ? new P0fFatalException(e.Reason, osMessage: e.OsMessage ?? "unknown error")
            : new P0fFatalException(e.Reason.TrimEnd('\n')) { Location = e.Line > 0 ? $"{e.FileName}:{e.Line}" : e.FileName };

    private static int RunOffline(P0fOptions options, ConsoleReporter console, SignatureDatabase database)
    {
        string file = options.ReadFile!;
        OfflineCaptureReader reader;
        try
        {
            reader = OfflineCaptureReader.Open(file);
        }
        catch (CaptureOpenException e)
        {
            // libpcap's own open errors carry no OS message: a PROGRAM ABORT in p0f, as here.
            throw new P0fFatalException(e.Message, osMessage: e.OsMessage) { Location = file };
        }

        using (reader)
        {
            console.Info($"Will read pcap data from file '{file}'.");
            try
            {
                var filter = reader.ApplyFilter(options.Filter);
                Console.Out.WriteLine(filter.BannerLine);
            }
            catch (CaptureFilterException e)
            {
                throw FilterFailure(e);
            }

            LogFile? log = OpenLog(options, console);

            using var output = new ObservationOutput(Console.OpenStandardOutput(), log);
            using var pipeline = PipelinedObservationOutput.Worthwhile ? new PipelinedObservationOutput(output) : null;
            var engine = new TrafficEngine(database, EngineOptionsFrom(options, offline: true), pipeline ?? (IObservationSink)output);

            // Only with -s: a plain offline run keeps p0f's default signal behaviour.
            using var stop = options.ApiSocket != null ? new Live.StopSignals() : null;
            using var api = Live.ApiHosting.Open(options, engine, console);
            if (options.User != null)
            {
                Privileges.PrivilegeDrop.SwitchTo(options.User, console);
            }

            console.Info("Processing capture data.");
            Console.Out.WriteLine();
            Console.Out.Flush();

            var decoder = new PacketDecoder(reader.LinkType, new DecoderOptions { DecodeVlan = options.DecodeVlan }, console.Warn);
            var handler = new EngineFeeder(decoder, engine);
            var result = reader.ReadAll(ref handler);
            if (pipeline != null)
            {
                pipeline.Flush();
            }
            else
            {
                output.Flush();
            }

            // p0f stops silently at a cut record; saying so is a deliberate improvement (README).
            if (result.EndReason == CaptureEndReason.Error)
            {
                console.Warn($"Capture file '{file}' ended early: {result.Error} ({result.Packets} packets read before it).");
            }

            Console.Out.WriteLine();
            Console.Out.WriteLine($"All done. Processed {result.Packets} packets.");
            Console.Out.Flush();
            if (options.PrintStats)
            {
                // Opt-in: p0f prints nothing like it, so the default output stays p0f's.
                Console.Error.WriteLine($"[+] Engine statistics: {engine.Counters.Describe(engine.HostCount, engine.FlowCount)}.");
            }

            if (api != null)
            {
                Live.ApiHosting.ServeUntilStopped(api, console, stop!);
            }

            return 0;
        }
    }

    /// <summary>p0f prints libpcap's complaint on its own line before the fatal error.</summary>
    internal static P0fFatalException FilterFailure(CaptureFilterException e)
    {
        Console.Out.Flush();
        Console.Error.WriteLine($"[-] pcap_compile: {e.LibpcapMessage}");
        return new P0fFatalException(e.P0fFatalText);
    }

    /// <summary>Opens the <c>-o</c> log when one is asked for, announcing it as p0f does.</summary>
    internal static LogFile? OpenLog(P0fOptions options, ConsoleReporter console)
    {
        if (options.LogFile == null)
        {
            return null;
        }

        LogFile log = LogFile.Open(options.LogFile);
        log.Warning = console.Warn;
        console.Info($"Log file '{options.LogFile}' opened for writing.");
        return log;
    }

    internal static EngineOptions EngineOptionsFrom(P0fOptions options, bool offline) => new()
    {
        ConnectionMaxAgeSeconds = options.ConnectionMaxAgeSeconds,
        HostIdleLimitMinutes = options.HostIdleLimitMinutes,
        MaxConnections = options.MaxConnections,
        MaxHosts = options.MaxHosts,
        OfflineMode = offline,
    };
}
