namespace P0fSharp.Engine.Packets;

/// <summary>
/// Unsigned decimal without culture, padding or sign, for the numbers every output line
/// carries (address octets, ports). The general number formatter was a visible share of an
/// offline run once called a dozen times per terminal block.
/// </summary>
internal static class DecimalText
{
    /// <summary>Writes <paramref name="value"/>; false (nothing written) when it does not fit.</summary>
    public static bool TryWrite(uint value, Span<char> destination, out int written)
    {
        written = value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : value < 100000 ? 5 : CountDigits(value);
        if (destination.Length < written)
        {
            written = 0;
            return false;
        }

        for (int i = written - 1; i >= 0; i--)
        {
            (value, uint digit) = Math.DivRem(value, 10);
            destination[i] = (char)('0' + digit);
        }

        return true;
    }

    private static int CountDigits(uint value)
    {
        int digits = 6;
        for (value /= 1000000; value != 0; value /= 10)
        {
            digits++;
        }

        return digits;
    }
}
