using System.Text;

namespace P0fSharp.Signatures.Tests;

internal static class TestDb
{
    public const string Classes = "classes = win,unix,other\n";

    public static SignatureDatabase Parse(string text) => SignatureDatabase.Parse(Encoding.Latin1.GetBytes(text), "test.fp");

    /// <summary>A TCP request db with one specific unix label and the given sig lines.</summary>
    public static SignatureDatabase Tcp(params string[] sigs)
        => Parse(Classes + "[tcp:request]\nlabel = s:unix:A:\n" + string.Concat(sigs.Select(s => "sig = " + s + "\n")));

    public static SignatureDatabaseException Error(string text)
    {
        try
        {
            Parse(text);
        }
        catch (SignatureDatabaseException ex)
        {
            return ex;
        }

        throw new Xunit.Sdk.XunitException("expected the database to be rejected:\n" + text);
    }

    private static SignatureDatabase? _stock;

    /// <summary>data/p0f.fp, loaded once.</summary>
    public static SignatureDatabase Stock => _stock ??= SignatureDatabase.Load(TestPaths.DataDatabase);
}
