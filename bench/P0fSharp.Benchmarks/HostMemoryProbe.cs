using System.Globalization;
using P0fSharp.Capture;
using P0fSharp.Engine;
using P0fSharp.Engine.Observations;

namespace P0fSharp.Benchmarks;

/// <summary>
/// Memory per tracked host: feeds a capture (normally bench/gen_syns output with N distinct
/// sources) through the decoder and a <see cref="TrafficEngine"/> whose host limit is raised to
/// MAXHOSTS (the command line caps -m at p0f's 500,000) and reports the managed heap and the
/// resident set before and after, divided by the number of hosts held. Flows stay capped
/// (default 1,000) so the figure is host state: the host table, its index and each record.
/// </summary>
public static class HostMemoryProbe
{
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: P0fSharp.Benchmarks hostmem CAPTURE MAXHOSTS [MAXCONN]");
            return 2;
        }

        string capture = args[0];
        int maxHosts = int.Parse(args[1], CultureInfo.InvariantCulture);
        int maxConnections = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
        var database = Database.Stock;

        long heapStart = SettledHeap();
        long rssStart = Environment.WorkingSet;

        var engine = new TrafficEngine(database, new EngineOptions
        {
            MaxHosts = maxHosts,
            MaxConnections = maxConnections,
            OfflineMode = true,
        }, new DiscardSink());
        long heapEmpty = SettledHeap();

        CaptureRunResult result;
        using (var reader = OfflineCaptureReader.Open(capture))
        {
            var feeder = new EngineFeeder(new PacketDecoder(reader.LinkType), engine);
            result = reader.ReadAll(ref feeder);
        }

        long heapFull = SettledHeap();
        long rssFull = Environment.WorkingSet;
        int hosts = engine.HostCount;
        int flows = engine.FlowCount;
        GC.KeepAlive(engine);

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"packets={result.Packets} hosts={hosts} flows={flows} max_hosts={maxHosts} max_conn={maxConnections}"));
        Console.WriteLine(string.Create(inv, $"managed heap: start {heapStart / 1048576.0:F1} MiB, empty engine {heapEmpty / 1048576.0:F1} MiB, full {heapFull / 1048576.0:F1} MiB"));
        Console.WriteLine(string.Create(inv, $"resident set: start {rssStart / 1048576.0:F1} MiB, full {rssFull / 1048576.0:F1} MiB, peak {PeakRss() / 1048576.0:F1} MiB"));
        double perHost = hosts > 0 ? (double)(heapFull - heapStart) / hosts : double.NaN;
        double perHostIncremental = hosts > 0 ? (double)(heapFull - heapEmpty) / hosts : double.NaN;
        double rssPerHost = hosts > 0 ? (double)(rssFull - rssStart) / hosts : double.NaN;
        Console.WriteLine(string.Create(inv,
            $"hostmem hosts={hosts} managed_bytes_per_host={perHost:F1} managed_bytes_per_host_after_presize={perHostIncremental:F1} rss_bytes_per_host={rssPerHost:F1}"));
        return 0;
    }

    private static long SettledHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>VmHWM from /proc/self/status, in bytes (0 where unavailable).</summary>
    private static long PeakRss()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    string kib = line[6..].Trim().Split(' ')[0];
                    return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private sealed class DiscardSink : IObservationSink
    {
        public void Write(in Observation observation)
        {
        }
    }
}
