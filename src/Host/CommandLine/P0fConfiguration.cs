using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace P0fSharp.Host.CommandLine;

/// <summary>
/// Options from a JSON file (<c>--config FILE</c>, else <c>/etc/p0fsharp/p0fsharp.json</c> when
/// present) and <c>P0FSHARP_*</c> environment variables, under the command line: a value
/// given on the command line always wins; the file and environment only fill what it left
/// unset. Keys are the long option names (<c>interface</c>, <c>fp-file</c>, <c>filter</c> …).
/// With <c>-r</c> only <c>fp-file</c>, <c>decode-vlan</c>, <c>timeouts</c> and <c>limits</c> apply.
/// </summary>
public static class P0fConfiguration
{
    public const string DefaultConfigPath = "/etc/p0fsharp/p0fsharp.json";
    public const string EnvironmentPrefix = "P0FSHARP_";

    public static P0fOptions Apply(P0fOptions fromCommandLine)
    {
        var builder = new ConfigurationBuilder();
        string? file = fromCommandLine.ConfigFile;
        if (file != null)
        {
            if (!File.Exists(file))
            {
                throw new P0fFatalException($"Cannot open '{file}'.", osMessage: "No such file or directory");
            }

            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        else if (File.Exists(DefaultConfigPath))
        {
            file = DefaultConfigPath;
            builder.AddJsonFile(DefaultConfigPath, optional: true);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        IConfigurationRoot config;
        try
        {
            config = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new P0fFatalException($"Malformed configuration file '{file}': {e.Message}");
        }

        return Merge(fromCommandLine, config);
    }

    internal static P0fOptions Merge(P0fOptions o, IConfiguration config)
    {
        // A file on the command line (-r) is an ad-hoc analysis, not the service: only the
        // analysis settings (database, VLAN decoding, timeouts, limits) come from the
        // configuration. The service's interface, filter, socket, log and user must not turn
        // "p0fsharp -r x.pcap" into a filtered run that appends to the daemon's log or
        // competes for its socket.
        bool service = o.ReadFile is null;
        string? Get(string key) => config[key] ?? config[key.Replace('-', '_')];
        string? GetService(string key) => service ? Get(key) : null;

        o = o with
        {
            Interface = o.Interface ?? GetService("interface"),
            FingerprintFile = o.FingerprintFile ?? Get("fp-file"),
            LogFile = o.LogFile ?? GetService("log"),
            ApiSocket = o.ApiSocket ?? GetService("socket"),
            User = o.User ?? GetService("user"),
            Filter = o.Filter ?? GetService("filter"),
            SocketGroup = o.SocketGroup ?? GetService("socket-group"),
            Promiscuous = o.Promiscuous || Flag(GetService("promiscuous"), "promiscuous"),
            DecodeVlan = o.DecodeVlan || Flag(Get("decode-vlan"), "decode-vlan"),
        };

        // Numeric settings go through the command-line parser so the same ranges and
        // messages apply; only where the command line kept the default.
        var extra = new List<string>();
        if (!o.ApiMaxConnectionsGiven && GetService("api-max-conn") is { } s)
        {
            extra.Add("-S");
            extra.Add(s);
        }

        if (o.ConnectionMaxAgeSeconds == P0fOptions.DefaultConnectionMaxAge && o.HostIdleLimitMinutes == P0fOptions.DefaultHostIdleMinutes && Get("timeouts") is { } t)
        {
            extra.Add("-t");
            extra.Add(t);
        }

        if (o.MaxConnections == P0fOptions.DefaultMaxConnections && o.MaxHosts == P0fOptions.DefaultMaxHosts && Get("limits") is { } m)
        {
            extra.Add("-m");
            extra.Add(m);
        }

        if (GetService("socket-mode") is { } mode && o.SocketMode == Convert.ToInt32("666", 8))
        {
            extra.Add("--socket-mode");
            extra.Add(mode);
        }

        if (GetService("kernel-buffer") is { } kb && o.KernelBufferMiB == 32)
        {
            extra.Add("--kernel-buffer");
            extra.Add(kb);
        }

        if (GetService("stats-interval") is { } si && o.StatsIntervalSeconds == 300)
        {
            extra.Add("--stats-interval");
            extra.Add(si);
        }

        if (extra.Count == 0)
        {
            return o;
        }

        // Parse the extras on top of a copy whose socket is set, so "-S needs -s" is judged
        // on the merged result rather than on the fragment.
        var parsed = P0fCommandLine.Parse(extra, o with { ApiSocket = o.ApiSocket ?? "(config)" });
        return parsed with { ApiSocket = o.ApiSocket };
    }

    private static bool Flag(string? value, string key)
    {
        if (value is null)
        {
            return false;
        }

        if (bool.TryParse(value, out bool b))
        {
            return b;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i))
        {
            return i != 0;
        }

        throw new P0fFatalException($"Configuration value '{key}' must be true or false.");
    }
}
