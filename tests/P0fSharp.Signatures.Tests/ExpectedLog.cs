namespace P0fSharp.Signatures.Tests;

/// <summary>One <c>-o</c> log line of EXPECTED.md, split into its fields.</summary>
internal sealed record ExpectedLine(string Case, int Index, string Module, string Client, IReadOnlyDictionary<string, string> Fields, string Text)
{
    public string Get(string key) => Fields[key];

    public bool Has(string key) => Fields.ContainsKey(key);

    /// <summary>Reads every log line of every case ("## tNN_name" sections).</summary>
    public static List<ExpectedLine> ReadAll()
    {
        var result = new List<ExpectedLine>();
        string? current = null;
        int index = 0;
        foreach (string raw in File.ReadAllLines(Path.Combine(TestPaths.VectorsOrThrow, "EXPECTED.md")))
        {
            if (raw.StartsWith("## ", StringComparison.Ordinal))
            {
                current = raw[3..].Trim();
                index = 0;
                continue;
            }

            if (current is null || !raw.StartsWith('[') || !raw.Contains("] mod=", StringComparison.Ordinal))
            {
                continue;
            }

            string body = raw[(raw.IndexOf("] ", StringComparison.Ordinal) + 2)..];

            // raw_sig is always last and may itself contain '|'.
            string? rawSig = null;
            int rs = body.IndexOf("|raw_sig=", StringComparison.Ordinal);
            if (rs >= 0)
            {
                rawSig = body[(rs + 9)..];
                body = body[..rs];
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string part in body.Split('|'))
            {
                int eq = part.IndexOf('=', StringComparison.Ordinal);
                fields[part[..eq]] = part[(eq + 1)..];
            }

            if (rawSig is not null)
            {
                fields["raw_sig"] = rawSig;
            }

            result.Add(new ExpectedLine(current, index++, fields["mod"], fields["cli"], fields, raw));
        }

        return result;
    }
}
