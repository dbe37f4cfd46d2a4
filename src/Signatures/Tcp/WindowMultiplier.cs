namespace P0fSharp.Signatures.Tcp;

/// <summary>
/// Detects whether a window is a multiple of the MSS or of the MTU (p0f's detect_win_multi),
/// used both for <c>raw_sig</c> and for matching <c>mss*N</c> / <c>mtu*N</c> signatures.
/// </summary>
public static class WindowMultiplier
{
    private const int Ipv4Overhead = 40;
    private const int Ipv6Overhead = 60;

    /// <summary>
    /// Tries the divisors in p0f's order; the first one dividing the window wins.
    /// <paramref name="multiplier"/> gets p0f's 16-bit signed quotient (-1 when nothing divides),
    /// which can be negative for the SYN+ACK <c>synMss - 12</c> test when synMss &lt; 12 or when the
    /// quotient exceeds 32767; callers treat any value ≤ 0 as "no multiplier", as p0f does.
    /// Returns true when a positive multiplier was found.
    /// </summary>
    public static bool Detect(in TcpFingerprint fp, ushort synMss, out int multiplier, out bool mtuBased)
    {
        multiplier = DetectCore(fp.Window, fp.Mss, fp.Ts1, fp.IpVersion, fp.TotalHeaderLength, synMss, out mtuBased);
        return multiplier > 0;
    }

    internal static int DetectCore(int window, int mss, uint ts1, int ipVersion, int totalHeader, int synMss, out bool mtuBased)
    {
        mtuBased = false;
        if (window == 0 || mss < 100)
        {
            return -1;
        }

        bool v6 = ipVersion == 6;
        int q;
        if (Divides(window, mss, out q)
            || (ts1 != 0 && Divides(window, mss - 12, out q))
            || Divides(window, 1500 - Ipv4Overhead, out q)
            || Divides(window, 1500 - Ipv4Overhead - 12, out q)
            || (v6 && Divides(window, 1500 - Ipv6Overhead, out q))
            || (v6 && Divides(window, 1500 - Ipv6Overhead - 12, out q)))
        {
            return q;
        }

        if (Divides(window, mss + Ipv4Overhead, out q)
            || Divides(window, mss + totalHeader, out q)
            || (v6 && Divides(window, mss + Ipv6Overhead, out q))
            || Divides(window, 1500, out q))
        {
            mtuBased = true;
            return q;
        }

        // SYN+ACKs: some stacks size the window from the peer's MSS.
        if (synMss != 0 && (Divides(window, synMss, out q) || Divides(window, synMss - 12, out q)))
        {
            return q;
        }

        return -1;
    }

    /// <summary>
    /// C semantics: truncating division, result stored in an s16. A zero divisor (synMss 12)
    /// would crash p0f; here it simply does not divide.
    /// </summary>
    private static bool Divides(int window, int divisor, out int quotient)
    {
        if (divisor == 0 || window % divisor != 0)
        {
            quotient = -1;
            return false;
        }

        quotient = unchecked((short)(window / divisor));
        return true;
    }
}
