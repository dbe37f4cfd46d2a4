using P0fSharp.Conformance.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Conformance.Tests.Differential;

/// <summary>
/// Start-up failures: a broken signature database and captures that cannot be read. Both tools
/// must exit non-zero; P0fSharp must print exactly one <c>[-]</c> error line that carries p0f's
/// message text, and no .NET exception or stack trace.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ErrorPathTests(ITestOutputHelper output)
{
    public static TheoryData<string> UnreadableCaptures => ["missing file", "not a capture", "empty file", "short header", "directory"];

    [Fact]
    public void Broken_database_is_refused_with_one_clear_message()
    {
        string db = Path.Combine(ConformanceSettings.CraftedDir, "fp", "broken.fp");
        string capture = Path.Combine(ConformanceSettings.CraftedDir, "pcaps", "c01_ip_quirks.pcap");
        Compare("broken-db", ["-r", capture, "-f", db], "in line 7.");
    }

    [Theory]
    [MemberData(nameof(UnreadableCaptures))]
    public void Unreadable_capture_is_refused_with_one_clear_message(string kind)
    {
        string dir = TempRoot.Sub("error-inputs");
        string capture = kind switch
        {
            "missing file" => Path.Combine(dir, "does-not-exist.pcap"),
            "not a capture" => Path.Combine(ConformanceSettings.CraftedDir, "pcaps", "not-a-capture.pcap"),
            "empty file" => Write(Path.Combine(dir, "empty.pcap"), []),
            "short header" => Write(Path.Combine(dir, "short.pcap"), [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0]),
            _ => TempRoot.Sub("error-inputs", "a-directory.pcap"),
        };
        Compare("unreadable-" + kind.Replace(' ', '-'), ["-r", capture, "-f", ConformanceSettings.RepoDatabase], null);
    }

    private static string Write(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private void Compare(string label, string[] args, string? expectedText)
    {
        ToolCommand p0f = Tools.RequireRealP0f();
        string root = TempRoot.Sub("errors", label);
        ToolResult reference = Tools.Run(p0f, args, Path.Combine(root, "p0f"));
        ToolResult ours = Tools.Run(Tools.Ours, args, Path.Combine(root, "p0fsharp"));
        output.WriteLine($"p0f  exit {reference.ExitCode}: {reference.Stderr.Trim()}");
        output.WriteLine($"ours exit {ours.ExitCode}: {ours.Stderr.Trim()}");

        string referenceMessage = ErrorMessage(reference, "p0f");
        if (expectedText is not null)
        {
            Assert.Contains(expectedText, referenceMessage, StringComparison.Ordinal);
        }

        Assert.True(reference.ExitCode != 0, $"p0f accepted the input ({label}): the test input is wrong");
        Assert.False(ours.TimedOut, $"{Tools.Ours.Label} hung on {label}");
        Assert.True(ours.ExitCode != 0, $"{Tools.Ours.Label} exited 0 on {label}; p0f exits {reference.ExitCode}");

        string all = ours.Stdout + ours.Stderr;
        foreach (string marker in new[] { "Unhandled exception", "   at ", "Exception:", "--- End of" })
        {
            Assert.False(all.Contains(marker, StringComparison.Ordinal),
                $"{Tools.Ours.Label} printed an exception/stack trace on {label}:\n{all}");
        }

        string ourMessage = ErrorMessage(ours, Tools.Ours.Label);
        Assert.True(ourMessage.Contains(referenceMessage, StringComparison.Ordinal),
            $"{label}: p0f says '{referenceMessage}', {Tools.Ours.Label} says '{ourMessage}'");
    }

    /// <summary>The text of the single "[-] PROGRAM ABORT : …" / "[-] SYSTEM ERROR : …" line.</summary>
    private static string ErrorMessage(ToolResult result, string who)
    {
        List<string> errors = Tools.SplitLines(result.Stdout + result.Stderr)
            .Where(l => l.StartsWith("[-]", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1,
            $"{who} must print exactly one '[-]' error line, printed {errors.Count}:\n{result.Stdout}{result.Stderr}");
        string line = errors[0];
        int colon = line.IndexOf(" : ", StringComparison.Ordinal);
        return colon < 0 ? line[3..].Trim() : line[(colon + 3)..].Trim();
    }
}
