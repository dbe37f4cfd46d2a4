using System.Text.RegularExpressions;

namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>
/// Splits p0f's terminal output (spec §8.2) into observation blocks and other lines, so the
/// blocks can be filtered by module exactly like log lines.
/// <code>
/// .-[ 10.1.0.1/40000 -> 192.0.2.1/80 (syn) ]-
/// |
/// | client   = 10.1.0.1/40000
/// ...
/// |
/// `----
/// (empty line)
/// </code>
/// </summary>
internal static partial class TerminalTranscript
{
    /// <summary>Lines of <paramref name="stdout"/> with every block whose module is outside <paramref name="modules"/> removed.</summary>
    public static List<string> Filter(string stdout, ModuleSet modules, out int blocks)
    {
        List<string> lines = Tools.SplitLines(stdout);
        var kept = new List<string>(lines.Count);
        blocks = 0;
        int i = 0;
        while (i < lines.Count)
        {
            Match header = BlockHeader().Match(lines[i]);
            if (!header.Success)
            {
                kept.Add(lines[i]);
                i++;
                continue;
            }

            int end = i + 1;
            while (end < lines.Count && lines[end] != "`----" && !BlockHeader().IsMatch(lines[end]))
            {
                end++;
            }

            if (end < lines.Count && lines[end] == "`----")
            {
                end++; // the closing line
                if (end < lines.Count && lines[end].Length == 0)
                {
                    end++; // and the empty line after it
                }
            }

            if (modules.Contains(header.Groups["mod"].Value))
            {
                blocks++;
                for (int j = i; j < end; j++)
                {
                    kept.Add(lines[j]);
                }
            }

            i = end;
        }

        return kept;
    }

    [GeneratedRegex(@"^\.-\[ .* \((?<mod>[^()]*)\) \]-$")]
    private static partial Regex BlockHeader();
}
