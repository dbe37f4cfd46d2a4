namespace P0fSharp.Signatures.Database;

/// <summary>
/// Byte classification and number parsing with the semantics of the C library in the "C"
/// locale. p0f parses its database with ctype.h and atol(), so the exact accept/reject
/// decisions (and the odd ones, like atol() taking a sign) depend on these rules.
/// </summary>
internal static class CText
{
    /// <summary>p0f's NAME_CHARS: the non-alphanumeric bytes allowed in OS / app names.</summary>
    private const string NameChars = " ./-_!?()";

    public static bool IsBlank(byte c) => c == (byte)' ' || c == (byte)'\t';

    public static bool IsDigit(byte c) => c >= (byte)'0' && c <= (byte)'9';

    public static bool IsAlpha(byte c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    public static bool IsAlnum(byte c) => IsDigit(c) || IsAlpha(c);

    /// <summary>isspace(): what strtol() skips before the number.</summary>
    public static bool IsSpace(byte c) => c == (byte)' ' || (c >= 0x09 && c <= 0x0D);

    /// <summary>Characters of OS/app names in labels, sys and ua_os (alnum or NAME_CHARS).</summary>
    public static bool IsNameChar(byte c) => IsAlnum(c) || (c != 0 && NameChars.Contains((char)c, StringComparison.Ordinal));

    /// <summary>Characters of HTTP header names in signatures.</summary>
    public static bool IsHeaderChar(byte c) => IsAlnum(c) || c == (byte)'-' || c == (byte)'_';

    /// <summary>
    /// atol() as glibc does it on LP64: skip white space, optional sign, decimal digits,
    /// saturate at the long range; then the caller's assignment to a 32-bit int keeps the low
    /// 32 bits. That truncation is part of p0f's behaviour (4294967360 reads as 64).
    /// </summary>
    public static int Atol32(in LineText line, int pos)
    {
        while (IsSpace(line.At(pos)))
        {
            pos++;
        }

        bool negative = false;
        byte c = line.At(pos);
        if (c == (byte)'+' || c == (byte)'-')
        {
            negative = c == (byte)'-';
            pos++;
        }

        // Accumulate the magnitude; long.MinValue's magnitude is one more than MaxValue.
        ulong limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        ulong value = 0;
        bool overflow = false;
        while (IsDigit(c = line.At(pos)))
        {
            if (!overflow)
            {
                ulong digit = (ulong)(c - '0');
                if (value > (limit - digit) / 10)
                {
                    overflow = true;
                }
                else
                {
                    value = (value * 10) + digit;
                }
            }

            pos++;
        }

        long result;
        if (overflow)
        {
            result = negative ? long.MinValue : long.MaxValue;
        }
        else
        {
            result = negative ? unchecked(-(long)value) : (long)value;
        }

        return unchecked((int)result);
    }

    /// <summary>ASCII-only case-insensitive equality (strcasecmp in the C locale).</summary>
    public static bool EqualsIgnoreCase(string a, ReadOnlySpan<char> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (ToLowerAscii(a[i]) != ToLowerAscii(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static char ToLowerAscii(char c) => c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;
}
