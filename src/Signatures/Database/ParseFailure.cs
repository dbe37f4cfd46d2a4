namespace P0fSharp.Signatures.Database;

/// <summary>
/// Internal signal for "p0f would abort here"; the parser turns it into a
/// <see cref="SignatureDatabaseException"/> carrying the file name and line.
/// </summary>
internal sealed class ParseFailure : Exception
{
    public ParseFailure()
    {
        Reason = string.Empty;
    }

    public ParseFailure(string reason)
        : base(reason)
    {
        Reason = reason;
    }

    public ParseFailure(string reason, Exception innerException)
        : base(reason, innerException)
    {
        Reason = reason;
    }

    public string Reason { get; }

    public bool EndsWithNewline { get; init; }

    public static ParseFailure InLine(string what, int line) => new($"{what} in line {line}.");
}
