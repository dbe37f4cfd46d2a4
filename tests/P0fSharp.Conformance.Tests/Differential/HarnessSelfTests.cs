using P0fSharp.Conformance.Tests.Harness;
using Xunit;

namespace P0fSharp.Conformance.Tests.Differential;

/// <summary>The harness's own pieces (no processes): diff, module filter, terminal block parsing.</summary>
public sealed class HarnessSelfTests
{
    [Fact]
    public void Diff_of_equal_lists_is_empty()
    {
        string[] a = ["x", "y", "z"];
        LineDiff.Result r = LineDiff.Compare(a, [.. a]);
        Assert.True(r.Equal);
        Assert.Equal(0, r.Differing);
    }

    [Fact]
    public void Diff_counts_changed_missing_and_extra_lines()
    {
        string[] expected = ["a", "b", "c", "d", "e"];
        string[] actual = ["a", "B", "c", "e", "f"];
        LineDiff.Result r = LineDiff.Compare(expected, actual);
        Assert.Equal(2, r.Removed);   // b and d (a, c, e are common)
        Assert.Equal(2, r.Added);
        string text = LineDiff.Render(r, expected, actual, "p0f", "ours");
        Assert.Contains("-b\n", text, StringComparison.Ordinal);
        Assert.Contains("+B\n", text, StringComparison.Ordinal);
        Assert.Contains("-d\n", text, StringComparison.Ordinal);
        Assert.Contains("+f\n", text, StringComparison.Ordinal);
        Assert.StartsWith("--- p0f\n+++ ours\n@@ -1,", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_renders_separate_hunks_with_context()
    {
        string[] expected = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
        string[] actual = ["a", "b", "X", "d", "e", "f", "g", "h", "i", "j", "k"];
        string text = LineDiff.Render(LineDiff.Compare(expected, actual), expected, actual, "p0f", "ours");
        Assert.Equal(
            "--- p0f\n+++ ours\n"
            + "@@ -1,5 +1,5 @@\n a\n b\n-c\n+X\n d\n e\n"
            + "@@ -9,2 +9,3 @@\n i\n j\n+k\n",
            text);
    }

    [Fact]
    public void Diff_of_very_different_lists_still_counts_every_line()
    {
        string[] expected = Enumerable.Range(0, 5000).Select(i => "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        string[] actual = Enumerable.Range(0, 4000).Select(i => "q" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        LineDiff.Result r = LineDiff.Compare(expected, actual);
        Assert.Equal(5000, r.Removed);
        Assert.Equal(4000, r.Added);
        string text = LineDiff.Render(r, expected, actual, "p0f", "ours", maxHunks: 1, maxLinesPerHunk: 5);
        Assert.Contains("more lines in this hunk", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_script_replays_both_sides()
    {
        var rnd = new Random(7);
        for (int round = 0; round < 200; round++)
        {
            string[] a = Enumerable.Range(0, rnd.Next(0, 30)).Select(_ => rnd.Next(0, 6).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            string[] b = Enumerable.Range(0, rnd.Next(0, 30)).Select(_ => rnd.Next(0, 6).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            LineDiff.Result r = LineDiff.Compare(a, b);
            var left = new List<string>();
            var right = new List<string>();
            foreach (LineDiff.Edit e in r.Script)
            {
                if (e.Kind != LineDiff.Kind.Added)
                {
                    left.Add(a[e.ExpectedIndex]);
                }

                if (e.Kind != LineDiff.Kind.Removed)
                {
                    right.Add(b[e.ActualIndex]);
                }

                if (e.Kind == LineDiff.Kind.Same)
                {
                    Assert.Equal(a[e.ExpectedIndex], b[e.ActualIndex]);
                }
            }

            Assert.Equal(a, left);
            Assert.Equal(b, right);
            Assert.Equal(r.Removed - a.Length, r.Added - b.Length); // both equal -LCS
        }
    }

    [Fact]
    public void Module_filter_keeps_whole_lines_of_selected_modules()
    {
        string[] log =
        [
            "[2023/11/14 22:13:20] mod=syn|cli=10.1.0.1/40000|srv=192.0.2.1/80|subj=cli|os=Linux|dist=0|params=none|raw_sig=x",
            "[2023/11/14 22:13:20] mod=mtu|cli=10.1.0.1/40000|srv=192.0.2.1/80|subj=cli|link=Ethernet or modem|raw_mtu=1500",
            "[2023/11/14 22:13:21] mod=http request|cli=10.1.0.1/40000|srv=192.0.2.1/80|subj=cli|app=curl",
            "[2023/11/14 22:13:21] mod=syn+ack|cli=10.1.0.1/40000|srv=192.0.2.1/80|subj=srv|os=???",
            "[2023/11/14 22:13:22] mod=host change|cli=10.1.0.1/40000|srv=192.0.2.1/80|subj=cli|reason=os_diff",
        ];
        List<string> kept = ModuleSet.Parse("syn,syn+ack,mtu").FilterLog(log);
        Assert.Equal([log[0], log[1], log[3]], kept);
        Assert.Equal(log, ModuleSet.Parse("all").FilterLog(log));
        Assert.Equal([log[2], log[4]], ModuleSet.Parse("http request, host change").FilterLog(log));
    }

    [Fact]
    public void Terminal_blocks_are_filtered_by_module()
    {
        const string stdout = "--- p0f 3.09b by Michal Zalewski <lcamtuf@coredump.cx> ---\n\n"
            + "[+] Processing capture data.\n\n"
            + ".-[ 10.1.0.1/40000 -> 192.0.2.1/80 (syn) ]-\n|\n| client   = 10.1.0.1/40000\n|\n`----\n\n"
            + ".-[ 10.1.0.1/40000 -> 192.0.2.1/80 (uptime) ]-\n|\n| client   = 10.1.0.1/40000\n|\n`----\n\n"
            + ".-[ 10.1.0.1/40000 -> 192.0.2.1/80 (host change) ]-\n|\n| reason   = os_diff\n|\n`----\n\n"
            + "\nAll done. Processed 1 packets.\n";
        List<string> kept = TerminalTranscript.Filter(stdout, ModuleSet.Parse("syn,mtu"), out int blocks);
        Assert.Equal(1, blocks);
        Assert.Contains(".-[ 10.1.0.1/40000 -> 192.0.2.1/80 (syn) ]-", kept);
        Assert.DoesNotContain(kept, l => l.Contains("(uptime)", StringComparison.Ordinal) || l.Contains("os_diff", StringComparison.Ordinal));
        Assert.Equal("All done. Processed 1 packets.", kept[^1]);
        TerminalTranscript.Filter(stdout, ModuleSet.All, out int all);
        Assert.Equal(3, all);
    }

    [Fact]
    public void Banner_and_descriptor_lines_are_the_only_stdout_exceptions()
    {
        string[] lines =
        [
            "--- p0f 3.09b by Michal Zalewski <lcamtuf@coredump.cx> ---",
            "[+] Closed 3 file descriptors.",
            "[+] Closed 1 file descriptor.",
            "[+] Loaded 322 signatures from 'p0f.fp'.",
            "| os       = Linux 3.11 and newer",
        ];
        Assert.Equal([lines[3], lines[4]], ExpectedDifferences.Strip(lines, "stdout"));
    }
}
