using System.Globalization;
using System.Text.RegularExpressions;

namespace P0fSharp.Capture.Tests.Support;

/// <summary>One TCP signature line p0f logged: who sent the fingerprinted packet and its raw_sig.</summary>
internal sealed record ExpectedSignature(string Module, string Sender, ushort SenderPort, string Receiver, ushort ReceiverPort, bool SynAck, string RawSig);

/// <summary>What the real p0f 3.09b printed for a vector (EXPECTED.md and out/*.stdout).</summary>
internal static partial class ExpectedOutput
{
    private static readonly Lazy<Dictionary<string, List<ExpectedSignature>>> Signatures = new(LoadSignatures);

    public static IReadOnlyList<ExpectedSignature> SignaturesFor(string caseName) =>
        Signatures.Value.TryGetValue(caseName, out var list) ? list : [];

    public static bool HasCase(string caseName) => Signatures.Value.ContainsKey(caseName);

    /// <summary>N of p0f's closing "All done. Processed N packets."</summary>
    public static long? ProcessedPackets(string caseName)
    {
        string? stdout = Stdout(caseName);
        if (stdout is null)
        {
            return null;
        }

        Match m = ProcessedRegex().Match(stdout);
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>p0f's filter banner line ("[+] Default packet filtering configured ...").</summary>
    public static string? FilterBanner(string caseName) =>
        Stdout(caseName)?.Split('\n').FirstOrDefault(l => l.StartsWith("[+] Default packet filtering", StringComparison.Ordinal)
            || l.StartsWith("[+] Custom filtering rule", StringComparison.Ordinal));

    /// <summary>The warning texts (without prefix) p0f printed that come from packet decoding.</summary>
    public static IReadOnlyList<string> DecoderWarnings(string caseName) =>
        Stdout(caseName)?.Split('\n')
            .Where(l => l.StartsWith("[!] WARNING: ", StringComparison.Ordinal))
            .Select(l => l["[!] WARNING: ".Length..])
            .Where(l => l.StartsWith("Unknown packet type", StringComparison.Ordinal) || l == PacketDecoder.LinkOffsetWarning)
            .ToList() ?? [];

    private static string? Stdout(string caseName)
    {
        string path = Path.Combine(TestPaths.VectorsDir, "out", caseName + ".stdout");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    private static Dictionary<string, List<ExpectedSignature>> LoadSignatures()
    {
        var result = new Dictionary<string, List<ExpectedSignature>>(StringComparer.Ordinal);
        List<ExpectedSignature>? current = null;
        foreach (string line in File.ReadLines(Path.Combine(TestPaths.VectorsDir, "EXPECTED.md")))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                current = [];
                result[line[3..].Trim()] = current;
                continue;
            }

            if (current is null || !line.StartsWith('['))
            {
                continue;
            }

            int bar = line.IndexOf("] mod=", StringComparison.Ordinal);
            if (bar < 0)
            {
                continue;
            }

            var fields = line[(bar + 2)..].Split('|')
                .Select(f => f.Split('=', 2))
                .Where(kv => kv.Length == 2)
                .GroupBy(kv => kv[0], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
            if (!fields.TryGetValue("raw_sig", out string? raw) || !fields.ContainsKey("os") && !fields.ContainsKey("app"))
            {
                continue;
            }

            string module = fields["mod"];
            bool synAck = module is "syn+ack" or "sendsyn response";
            if (!synAck && module is not ("syn" or "sendsyn probe"))
            {
                continue;
            }

            (string cli, ushort cport) = SplitEndpoint(fields["cli"]);
            (string srv, ushort sport) = SplitEndpoint(fields["srv"]);
            bool fromClient = fields["subj"] == "cli";
            current.Add(fromClient
                ? new ExpectedSignature(module, cli, cport, srv, sport, synAck, raw)
                : new ExpectedSignature(module, srv, sport, cli, cport, synAck, raw));
        }

        return result;
    }

    private static (string Address, ushort Port) SplitEndpoint(string text)
    {
        int slash = text.LastIndexOf('/');
        return (text[..slash], ushort.Parse(text[(slash + 1)..], CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"All done\. Processed (\d+) packets\.")]
    private static partial Regex ProcessedRegex();
}
