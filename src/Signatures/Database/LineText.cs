using System.Text;

namespace P0fSharp.Signatures.Database;

/// <summary>
/// One database line as p0f holds it: a heap copy followed by a NUL and then the
/// allocator's tail canary byte. Some of p0f's parsing steps read one or two bytes past the
/// NUL (e.g. after a trailing <c>64-:</c>); <see cref="At"/> reproduces what they see.
/// </summary>
internal readonly ref struct LineText
{
    /// <summary>The byte p0f's allocator places right after every buffer.</summary>
    private const byte TailCanary = 0xF0;

    public LineText(ReadOnlySpan<byte> bytes) => Bytes = bytes;

    public ReadOnlySpan<byte> Bytes { get; }

    public int Length => Bytes.Length;

    public byte At(int index)
    {
        if ((uint)index < (uint)Bytes.Length)
        {
            return Bytes[index];
        }

        return index == Bytes.Length ? (byte)0 : TailCanary;
    }

    /// <summary>strncmp(line + pos, literal, literal.Length) == 0.</summary>
    public bool StartsWith(int pos, ReadOnlySpan<byte> literal)
    {
        for (int i = 0; i < literal.Length; i++)
        {
            if (At(pos + i) != literal[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>strcmp(line + pos, literal) == 0.</summary>
    public bool RestEquals(int pos, ReadOnlySpan<byte> literal)
        => pos <= Bytes.Length && Bytes[pos..].SequenceEqual(literal);

    /// <summary>Latin-1 text of [start, end) (bytes past the line are not included).</summary>
    public string Text(int start, int end)
    {
        start = Math.Min(start, Bytes.Length);
        end = Math.Clamp(end, start, Bytes.Length);
        return Encoding.Latin1.GetString(Bytes[start..end]);
    }

    /// <summary>Latin-1 text from <paramref name="start"/> to the end of the line.</summary>
    public string Rest(int start) => Text(start, Bytes.Length);
}
