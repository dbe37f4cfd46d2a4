using System.Text.RegularExpressions;
using Xunit;

namespace P0fSharp.Signatures.Tests;

/// <summary>
/// Every broken database of the vectors (fp/err_eNN.fp) must give exactly the message and
/// line the real p0f printed (out/fp_errors.txt), and the good ones the same signature count.
/// </summary>
public sealed partial class DatabaseErrorVectorTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        if (TestPaths.Vectors is null)
        {
            data.Add("unavailable");
            return data;
        }

        foreach (ExpectedOutcome outcome in ReadExpected().Values)
        {
            data.Add(outcome.Id);
        }

        return data;
    }

    [VectorTheory]
    [MemberData(nameof(Cases))]
    public void Database_load_matches_p0f(string id)
    {
        ExpectedOutcome expected = ReadExpected()[id];
        string path = expected.RelativeFile is null
            ? Path.Combine(TestPaths.VectorsOrThrow, "fp", "does-not-exist.fp")
            : Path.Combine(TestPaths.VectorsOrThrow, expected.RelativeFile);

        if (expected.Abort is not null)
        {
            var ex = Assert.Throws<SignatureDatabaseException>(() => SignatureDatabase.Load(path));
            Assert.Equal(expected.Abort, ex.Reason);
            Assert.Equal(LineOf(expected.Abort), ex.Line);
            Assert.False(ex.IsSystemError);
            Assert.Equal($"{path}:{ex.Line}: {ex.Reason}", ex.Message);
            Assert.Equal(expected.Abort.StartsWith("Empty MTU label", StringComparison.Ordinal), ex.ReasonEndsWithNewline);
        }
        else if (expected.SystemError is not null)
        {
            var ex = Assert.Throws<SignatureDatabaseException>(() => SignatureDatabase.Load(path));
            Assert.True(ex.IsSystemError);
            Assert.Equal(expected.SystemError.Replace("'fp/does-not-exist.fp'", $"'{path}'", StringComparison.Ordinal), ex.Reason);
            Assert.Equal(0, ex.Line);
            Assert.Equal(expected.OsMessage, ex.OsMessage);
        }
        else
        {
            SignatureDatabase db = SignatureDatabase.Load(path);
            Assert.Equal(expected.Loaded, db.SignatureCount);
        }
    }

    [VectorFact]
    public void All_error_databases_are_covered_by_the_expected_output()
    {
        string[] files = Directory.GetFiles(Path.Combine(TestPaths.VectorsOrThrow, "fp"), "err_e*.fp");
        Dictionary<string, ExpectedOutcome> expected = ReadExpected();
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            string rel = "fp/" + Path.GetFileName(file);
            Assert.Contains(expected.Values, e => e.RelativeFile == rel);
        }
    }

    private static int LineOf(string reason)
    {
        Match m = LineNumber().Match(reason);
        return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>
    /// Reads out/fp_errors.txt: "### eNN_name  (fp/err_eNN.fp)" sections, each with either a
    /// "PROGRAM ABORT : msg", a "SYSTEM ERROR : msg" + "OS message : text", a
    /// "Loaded N signature(s)" or a "No signatures found" line.
    /// </summary>
    private static Dictionary<string, ExpectedOutcome> ReadExpected()
    {
        var result = new Dictionary<string, ExpectedOutcome>(StringComparer.Ordinal);
        ExpectedOutcome? current = null;
        foreach (string raw in File.ReadAllLines(Path.Combine(TestPaths.VectorsOrThrow, "out", "fp_errors.txt")))
        {
            string line = raw.TrimEnd();
            Match header = SectionHeader().Match(line);
            if (header.Success)
            {
                current = new ExpectedOutcome(header.Groups[1].Value, header.Groups[2].Success ? header.Groups[2].Value : null);
                result[current.Id] = current;
                continue;
            }

            if (current is null)
            {
                continue;
            }

            int at;
            if ((at = line.IndexOf("PROGRAM ABORT : ", StringComparison.Ordinal)) >= 0)
            {
                current.Abort = line[(at + 16)..];
            }
            else if ((at = line.IndexOf("SYSTEM ERROR : ", StringComparison.Ordinal)) >= 0)
            {
                current.SystemError = line[(at + 15)..];
            }
            else if ((at = line.IndexOf("OS message : ", StringComparison.Ordinal)) >= 0)
            {
                current.OsMessage = line[(at + 13)..];
            }
            else if (LoadedLine().Match(line) is { Success: true } loaded)
            {
                current.Loaded = int.Parse(loaded.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.Contains("No signatures found", StringComparison.Ordinal))
            {
                current.Loaded = 0;
            }
        }

        return result;
    }

    [GeneratedRegex(@"^###\s+(e\d+\w*)(?:\s+\((\S+)\))?")]
    private static partial Regex SectionHeader();

    [GeneratedRegex(@"Loaded (\d+) signatures? from")]
    private static partial Regex LoadedLine();

    [GeneratedRegex(@"line (\d+)")]
    private static partial Regex LineNumber();

    private sealed class ExpectedOutcome(string id, string? relativeFile)
    {
        public string Id { get; } = id;

        public string? RelativeFile { get; } = relativeFile;

        public string? Abort { get; set; }

        public string? SystemError { get; set; }

        public string? OsMessage { get; set; }

        public int? Loaded { get; set; }
    }
}
