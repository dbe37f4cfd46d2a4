using System.Text;
using Xunit;

namespace P0fSharp.Signatures.Tests;

/// <summary>Whatever the input, loading either succeeds or throws SignatureDatabaseException.</summary>
public sealed class FuzzTests
{
    [Fact]
    public void Random_bytes()
    {
        var rng = new Random(12345);
        byte[] alphabet = Encoding.Latin1.GetBytes(":,+-*%?=[]@!;_ \t\r\n\00123456789abcdegilmnopqrstuwxyzS\u00e9()./");
        for (int i = 0; i < 3000; i++)
        {
            byte[] data = new byte[rng.Next(0, 200)];
            for (int j = 0; j < data.Length; j++)
            {
                data[j] = rng.Next(4) == 0 ? (byte)rng.Next(256) : alphabet[rng.Next(alphabet.Length)];
            }

            // Half of the inputs get a valid preamble so the deeper parsers are reached.
            byte[] input = i % 2 == 0 ? data : [.. Encoding.ASCII.GetBytes(Preambles[i / 2 % Preambles.Length]), .. data];
            LoadSafely(input);
        }
    }

    [Fact]
    public void Every_stock_line_truncated_at_every_position()
    {
        string[] lines = File.ReadAllLines(TestPaths.DataDatabase, Encoding.Latin1);
        string section = string.Empty;
        string label = string.Empty;
        string sys = string.Empty;
        int runs = 0;
        foreach (string line in lines)
        {
            if (line.StartsWith('['))
            {
                section = line;
            }
            else if (line.StartsWith("label", StringComparison.Ordinal))
            {
                label = line;
                sys = string.Empty;
            }
            else if (line.StartsWith("sys", StringComparison.Ordinal))
            {
                sys = line;
            }

            string context = "classes = win,unix,other\n" + section + "\n" + (line.StartsWith("label", StringComparison.Ordinal) ? string.Empty : label + "\n" + (line.StartsWith("sys", StringComparison.Ordinal) ? string.Empty : sys + "\n"));
            for (int cut = 0; cut <= line.Length; cut++)
            {
                LoadSafely(Encoding.Latin1.GetBytes(context + line[..cut]));
                LoadSafely(Encoding.Latin1.GetBytes(context + line[..cut] + "\n" + line + "\n"));
                runs++;
            }
        }

        Assert.True(runs > 10_000);
    }

    private static readonly string[] Preambles =
    [
        "classes = win,unix,other\n[tcp:request]\nlabel = s:unix:A:\nsig = ",
        "classes = win,unix,other\n[tcp:response]\nlabel = s:!:T:\nsys = @unix\nsig = 4:64",
        "classes = unix\n[http:request]\nlabel = s:!:X:\nsys = @unix\nsig = 1:",
        "classes = unix\n[http:request]\nua_os = ",
        "[mtu]\nlabel = x\nsig = ",
        "classes = unix\n[tcp:request]\nlabel = ",
    ];

    private static void LoadSafely(byte[] input)
    {
        try
        {
            SignatureDatabase db = SignatureDatabase.Parse(input, "fuzz.fp");
            Assert.True(db.SignatureCount >= 0);
        }
        catch (SignatureDatabaseException ex)
        {
            Assert.False(string.IsNullOrEmpty(ex.Reason));
        }
    }
}
