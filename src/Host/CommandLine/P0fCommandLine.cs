using System.Globalization;

namespace P0fSharp.Host.CommandLine;

/// <summary>
/// Parses p0f 3.09b's command line with its getopt semantics (bundled flags, attached or
/// separate values, parsing stops at the first non-option, the rest is the BPF rule) and
/// its refusals, word for word. Long options are P0fSharp additions.
/// </summary>
public static class P0fCommandLine
{
    private const string ValueOptions = "ifmorsStu";
    private const string FlagOptions = "dLp";

    private static readonly Dictionary<string, char> LongToShort = new(StringComparer.Ordinal)
    {
        ["interface"] = 'i',
        ["read"] = 'r',
        ["promiscuous"] = 'p',
        ["list-interfaces"] = 'L',
        ["fp-file"] = 'f',
        ["log"] = 'o',
        ["socket"] = 's',
        ["api-max-conn"] = 'S',
        ["user"] = 'u',
        ["daemon"] = 'd',
        ["timeouts"] = 't',
        ["limits"] = 'm',
    };

    public static P0fOptions Parse(IReadOnlyList<string> args, P0fOptions? defaults = null)
    {
        var o = defaults ?? new P0fOptions();
        var positional = new List<string>();
        int i = 0;
        while (i < args.Count)
        {
            string arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                o = ParseLong(arg[2..], args, ref i, o);
                continue;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                break;
            }

            for (int j = 1; j < arg.Length; j++)
            {
                char c = arg[j];
                if (FlagOptions.Contains(c, StringComparison.Ordinal))
                {
                    o = Apply(o, c, null);
                    continue;
                }

                if (!ValueOptions.Contains(c, StringComparison.Ordinal))
                {
                    throw new P0fFatalException($"invalid option -- '{c}'", showUsage: true);
                }

                string value;
                if (j + 1 < arg.Length)
                {
                    value = arg[(j + 1)..];
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    throw new P0fFatalException($"option requires an argument -- '{c}'", showUsage: true);
                }

                o = Apply(o, c, value);
                break;
            }

            i++;
        }

        for (; i < args.Count; i++)
        {
            positional.Add(args[i]);
        }

        if (positional.Count > 1)
        {
            throw new P0fFatalException("Filter rule must be a single parameter (use quotes).");
        }

        if (positional.Count == 1)
        {
            o = o with { Filter = positional[0] };
        }

        Validate(o);
        return o;
    }

    private static P0fOptions ParseLong(string body, IReadOnlyList<string> args, ref int i, P0fOptions o)
    {
        string name = body;
        string? value = null;
        int eq = body.IndexOf('=', StringComparison.Ordinal);
        if (eq >= 0)
        {
            name = body[..eq];
            value = body[(eq + 1)..];
        }

        string NextValue(ref int index)
        {
            if (value != null)
            {
                return value;
            }

            if (index + 1 >= args.Count)
            {
                throw new P0fFatalException($"option '--{name}' requires an argument", showUsage: true);
            }

            return args[++index];
        }

        switch (name)
        {
            case "help":
                i++;
                return o with { ShowHelp = true };
            case "version":
                i++;
                return o with { ShowVersion = true };
            case "decode-vlan":
                i++;
                return o with { DecodeVlan = true };
            case "stats":
                i++;
                return o with { PrintStats = true };
            case "config":
                o = o with { ConfigFile = NextValue(ref i) };
                i++;
                return o;
            case "socket-mode":
                string mode = NextValue(ref i);
                try
                {
                    int parsed = Convert.ToInt32(mode, 8);
                    if (parsed is < 0 or > 511)
                    {
                        throw new FormatException();
                    }

                    o = o with { SocketMode = parsed };
                }
                catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
                {
                    throw new P0fFatalException("Outlandish value specified for --socket-mode (octal, e.g. 0660).");
                }

                i++;
                return o;
            case "socket-group":
                o = o with { SocketGroup = NextValue(ref i) };
                i++;
                return o;
            case "kernel-buffer":
                if (!int.TryParse(NextValue(ref i), NumberStyles.None, CultureInfo.InvariantCulture, out int mib) || mib is < 1 or > 2048)
                {
                    throw new P0fFatalException("Outlandish value specified for --kernel-buffer (MiB, 1..2048).");
                }

                i++;
                return o with { KernelBufferMiB = mib };
            case "stats-interval":
                if (!int.TryParse(NextValue(ref i), NumberStyles.None, CultureInfo.InvariantCulture, out int secs) || secs is < 0 or > 86400)
                {
                    throw new P0fFatalException("Outlandish value specified for --stats-interval (seconds, 0..86400).");
                }

                i++;
                return o with { StatsIntervalSeconds = secs };
        }

        if (!LongToShort.TryGetValue(name, out char c))
        {
            throw new P0fFatalException($"unrecognized option '--{name}'", showUsage: true);
        }

        if (FlagOptions.Contains(c, StringComparison.Ordinal))
        {
            if (value != null)
            {
                throw new P0fFatalException($"option '--{name}' doesn't allow an argument", showUsage: true);
            }

            i++;
            return Apply(o, c, null);
        }

        o = Apply(o, c, NextValue(ref i));
        i++;
        return o;
    }

    private static P0fOptions Apply(P0fOptions o, char option, string? value)
    {
        switch (option)
        {
            case 'd':
                Refuse(o.Daemon, "Double werewolf mode not supported yet.");
                return o with { Daemon = true };
            case 'L':
                return o with { ListInterfaces = true };
            case 'p':
                Refuse(o.Promiscuous, "Even more promiscuous? People will start talking!");
                return o with { Promiscuous = true };
            case 'i':
                Refuse(o.Interface != null, "Multiple -i options not supported (try '-i any').");
                return o with { Interface = value };
            case 'r':
                Refuse(o.ReadFile != null, "Multiple -r options not supported.");
                return o with { ReadFile = value };
            case 'f':
                Refuse(o.FingerprintFile != null, "Multiple -f options not supported.");
                return o with { FingerprintFile = value };
            case 'o':
                Refuse(o.LogFile != null, "Multiple -o options not supported.");
                return o with { LogFile = value };
            case 's':
                Refuse(o.ApiSocket != null, "Multiple -s options not supported.");
                return o with { ApiSocket = value };
            case 'u':
                Refuse(o.User != null, "Split personality mode not supported.");
                return o with { User = value };
            case 'S':
                Refuse(o.ApiMaxConnections != P0fOptions.DefaultApiMaxConnections, "Multiple -S options not supported.");
                int limit = CAtoi(value!);
                Refuse(limit is < 1 or > 100, "Outlandish value specified for -S.");
                return o with { ApiMaxConnections = limit, ApiMaxConnectionsGiven = true };
            case 't':
                Refuse(
                    o.ConnectionMaxAgeSeconds != P0fOptions.DefaultConnectionMaxAge || o.HostIdleLimitMinutes != P0fOptions.DefaultHostIdleMinutes,
                    "Multiple -t options not supported.");
                Refuse(
                    !TryParsePair(value!, out uint age, out uint idle) || age is < 1 or > 1_000_000 || idle is < 1 or > 1_000_000,
                    "Outlandish value specified for -t.");
                return o with { ConnectionMaxAgeSeconds = age, HostIdleLimitMinutes = idle };
            case 'm':
                Refuse(
                    o.MaxConnections != P0fOptions.DefaultMaxConnections || o.MaxHosts != P0fOptions.DefaultMaxHosts,
                    "Multiple -m options not supported.");
                Refuse(
                    !TryParsePair(value!, out uint conns, out uint hosts) || conns is < 1 or > 100_000 || hosts is < 1 or > 500_000,
                    "Outlandish value specified for -m.");
                return o with { MaxConnections = (int)conns, MaxHosts = (int)hosts };
            default:
                throw new P0fFatalException($"invalid option -- '{option}'", showUsage: true);
        }
    }

    /// <summary>p0f's one-line refusal of a repeated or out-of-range option.</summary>
    private static void Refuse(bool condition, string message)
    {
        if (condition)
        {
            throw new P0fFatalException(message);
        }
    }

    private static void Validate(P0fOptions o)
    {
        if (o.ShowHelp || o.ShowVersion)
        {
            return;
        }

        if (o.ReadFile != null && o.ApiSocket != null)
        {
            // p0f refuses this ("API mode looks down on ofline captures."); P0fSharp serves the
            // API from the state an offline run built, a documented improvement.
        }

        if (o.ApiMaxConnectionsGiven && o.ApiSocket == null)
        {
            throw new P0fFatalException("Option -S makes sense only with -s.");
        }

        if (o.Daemon)
        {
            if (o.ReadFile != null)
            {
                throw new P0fFatalException("Daemon mode and offline captures don't mix.");
            }

            if (o.LogFile == null && o.ApiSocket == null)
            {
                throw new P0fFatalException("Daemon mode requires -o or -s.");
            }
        }

        if (o.Interface != null && o.ReadFile != null)
        {
            throw new P0fFatalException("Options -i and -r are mutually exclusive.");
        }

        if (o.Promiscuous && o.ReadFile != null)
        {
            throw new P0fFatalException("Dude, how am I supposed to make a file promiscuous?");
        }
    }

    /// <summary>C sscanf("%u,%u"): leading blanks, optional sign, digits, comma, same again.</summary>
    private static bool TryParsePair(string text, out uint first, out uint second)
    {
        second = 0;
        int comma = text.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0 || !TryParseCUnsigned(text[..comma], out first, requireEnd: true))
        {
            first = 0;
            return false;
        }

        return TryParseCUnsigned(text[(comma + 1)..], out second, requireEnd: false);
    }

    private static bool TryParseCUnsigned(string text, out uint value, bool requireEnd)
    {
        value = 0;
        int k = 0;
        while (k < text.Length && char.IsWhiteSpace(text[k]))
        {
            k++;
        }

        bool negative = false;
        if (k < text.Length && (text[k] == '+' || text[k] == '-'))
        {
            negative = text[k] == '-';
            k++;
        }

        int start = k;
        ulong acc = 0;
        while (k < text.Length && char.IsAsciiDigit(text[k]))
        {
            acc = Math.Min(acc * 10 + (ulong)(text[k] - '0'), ulong.MaxValue / 20);
            k++;
        }

        if (k == start || (requireEnd && k != text.Length))
        {
            return false;
        }

        uint v = acc > uint.MaxValue ? uint.MaxValue : (uint)acc;
        value = negative ? unchecked(0u - v) : v;
        return true;
    }

    /// <summary>C atoi: leading blanks, optional sign, digits; anything else ends it (0 if none).</summary>
    private static int CAtoi(string text)
    {
        int k = 0;
        while (k < text.Length && char.IsWhiteSpace(text[k]))
        {
            k++;
        }

        bool negative = false;
        if (k < text.Length && (text[k] == '+' || text[k] == '-'))
        {
            negative = text[k] == '-';
            k++;
        }

        long acc = 0;
        while (k < text.Length && char.IsAsciiDigit(text[k]) && acc < int.MaxValue)
        {
            acc = acc * 10 + (text[k] - '0');
            k++;
        }

        acc = Math.Min(acc, int.MaxValue);
        return (int)(negative ? -acc : acc);
    }

    public const string Usage = """
        Usage: p0fsharp [ ...options... ] [ 'filter rule' ]

        Network interface options:

          -i iface  - listen on the specified network interface
          -r file   - read offline pcap data from a given file
          -p        - put the listening interface in promiscuous mode
          -L        - list all available interfaces

        Operating mode and output settings:

          -f file   - read fingerprint database from 'file' (default: p0f.fp beside the program)
          -o file   - write information to the specified log file
          -s name   - answer to API queries at a named unix socket
          -u user   - switch to the specified unprivileged account (no chroot, see README)
          -d        - fork into background (requires -o or -s)

        Performance-related options:

          -S limit  - limit number of parallel API connections (20)
          -t c,h    - set connection / host cache age limits (30s,120m)
          -m c,h    - cap the number of active connections / hosts (1000,10000)

        Long forms: --interface --read --promiscuous --list-interfaces --fp-file --log --socket
          --user --daemon --api-max-conn --timeouts --limits
        P0fSharp additions:
          --config FILE        JSON configuration (same keys as the long options)
          --socket-mode MODE   API socket file mode, octal (default 0666 as p0f)
          --socket-group NAME  group owner of the API socket file
          --kernel-buffer MIB  libpcap kernel buffer for live capture (default 32)
          --stats-interval S   log capture statistics every S seconds (default 300, 0 = never)
          --decode-vlan        decode 802.1Q/QinQ and Linux SLL2 frames (p0f drops them)
          --stats              with -r: print what was fingerprinted, dropped and evicted to stderr
          --help, --version

        -r FILE together with -s SOCK analyses the file, then keeps answering API queries.
        If you make a typo, don't worry: the program will politely tell you.
        """;
}
