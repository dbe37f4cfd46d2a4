using System.Text.RegularExpressions;

namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>
/// THE one place that lists what may legitimately differ between p0f's and P0fSharp's
/// terminal output (stdout and stderr). A line matching one of these patterns is removed
/// from both sides before the comparison. Everything else must be identical. Add an entry
/// only for a deliberate difference, with the reason, and mention it in README.md
/// ("Deliberate differences from p0f 3.09b").
/// </summary>
internal static partial class ExpectedDifferences
{
    public sealed record Entry(Regex Pattern, string Stream, string Reason);

    public static IReadOnlyList<Entry> Entries { get; } =
    [
        new(BannerLine(), "stdout",
            "program banner: p0f prints '--- p0f 3.09b by Michal Zalewski <lcamtuf@coredump.cx> ---', "
            + "P0fSharp prints its own name and version"),
        new(ClosedDescriptorsLine(), "stdout",
            "'[+] Closed N file descriptors.' depends on the descriptors the parent process leaked; "
            + "P0fSharp (a .NET process) does not close inherited descriptors"),
        new(LocationLine(), "stderr",
            "the 'Location :' line of a fatal error names p0f's C function and source line"),
        new(EndedEarlyLine(), "stderr",
            "p0f stops silently at a capture file cut mid-record; P0fSharp warns how many packets it read"),
    ];

    /// <summary>Drops the lines of <paramref name="lines"/> that an entry for <paramref name="stream"/> allows to differ.</summary>
    public static List<string> Strip(IEnumerable<string> lines, string stream)
    {
        var kept = new List<string>();
        foreach (string line in lines)
        {
            bool ignorable = false;
            foreach (Entry entry in Entries)
            {
                if (entry.Stream == stream && entry.Pattern.IsMatch(line))
                {
                    ignorable = true;
                    break;
                }
            }

            if (!ignorable)
            {
                kept.Add(line);
            }
        }

        return kept;
    }

    [GeneratedRegex(@"^--- .* ---$")]
    private static partial Regex BannerLine();

    [GeneratedRegex(@"^\[\+\] Closed \d+ file descriptors?\.$")]
    private static partial Regex ClosedDescriptorsLine();

    [GeneratedRegex(@"^\[!\] WARNING: Capture file '.*' ended early: ")]
    private static partial Regex EndedEarlyLine();

    [GeneratedRegex(@"^ +Location : ")]
    private static partial Regex LocationLine();
}
