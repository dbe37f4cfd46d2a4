namespace P0fSharp.Signatures.Tcp;

/// <summary>
/// p0f's TCP matching (tcp_find_match) over the signatures that share the probe's option
/// layout, in file order.
/// </summary>
internal static class TcpMatcher
{
    /// <summary>Quirks a fuzzy match may lose.</summary>
    private const TcpQuirks MayDisappear = TcpQuirks.Df | TcpQuirks.IdPlus;

    /// <summary>Quirks a fuzzy match may gain.</summary>
    private const TcpQuirks MayAppear = TcpQuirks.IdMinus | TcpQuirks.Ecn;

    private const TcpQuirks Ipv4OnlyQuirks = TcpQuirks.Df | TcpQuirks.IdPlus | TcpQuirks.IdMinus;

    public static TcpMatchResult Match(ReadOnlySpan<TcpSignature> candidates, in TcpProbe probe, int synMss)
    {
        TcpSignature? exact = Scan(candidates, probe, synMss, duplicateCheck: false, out TcpSignature? generic, out TcpSignature? fuzzy);
        if (exact is not null)
        {
            return new TcpMatchResult(exact, false, exact.Ttl - probe.Ttl);
        }

        if (generic is not null)
        {
            return new TcpMatchResult(generic, false, generic.Ttl - probe.Ttl);
        }

        // p0f refuses fuzzy matches for user-land tools, and does not guess a distance then.
        if (fuzzy is not null && fuzzy.Label.IsApplication)
        {
            return new TcpMatchResult(null, false, 0);
        }

        int distance;
        if (fuzzy is null || fuzzy.Ttl < probe.Ttl || (!fuzzy.BadTtl && fuzzy.Ttl - probe.Ttl > TtlDistance.MaxDistance))
        {
            distance = TtlDistance.Guess(probe.Ttl);
        }
        else
        {
            distance = fuzzy.Ttl - probe.Ttl;
        }

        return new TcpMatchResult(fuzzy, fuzzy is not null, distance);
    }

    /// <summary>The earlier specific signature that makes <paramref name="probe"/> redundant, if any.</summary>
    public static TcpSignature? FindCovering(ReadOnlySpan<TcpSignature> candidates, in TcpProbe probe)
        => Scan(candidates, probe, 0, duplicateCheck: true, out _, out _);

    private static TcpSignature? Scan(
        ReadOnlySpan<TcpSignature> candidates,
        in TcpProbe probe,
        int synMss,
        bool duplicateCheck,
        out TcpSignature? generic,
        out TcpSignature? fuzzyCandidate)
    {
        generic = null;
        fuzzyCandidate = null;

        bool useMtu = false;
        int multiplier = probe.WindowType == TcpWindowType.Normal
            ? WindowMultiplier.DetectCore(probe.Window, probe.Mss, probe.Ts1, probe.IpVersion, probe.TotalHeaderLength, synMss, out useMtu)
            : -1;

        foreach (TcpSignature sig in candidates)
        {
            bool fuzzy = false;
            TcpQuirks quirks = sig.Quirks;

            // A version-less signature cannot demand quirks the packet's IP version cannot have.
            if (sig.IpVersion == -1)
            {
                quirks &= probe.IpVersion == 4 ? ~TcpQuirks.Flow : ~Ipv4OnlyQuirks;
            }

            if (quirks != probe.Quirks)
            {
                TcpQuirks deleted = quirks & ~probe.Quirks;
                TcpQuirks added = probe.Quirks & ~quirks;
                if (fuzzyCandidate is not null || (deleted & ~MayDisappear) != 0 || (added & ~MayAppear) != 0)
                {
                    continue;
                }

                fuzzy = true;
            }

            if (sig.EolPadding != probe.EolPadding || sig.IpOptionLength != probe.IpOptionLength)
            {
                continue;
            }

            if (sig.BadTtl)
            {
                if (sig.Ttl < probe.Ttl)
                {
                    continue;
                }
            }
            else if (sig.Ttl < probe.Ttl || sig.Ttl - probe.Ttl > TtlDistance.MaxDistance)
            {
                fuzzy = true;
            }

            if ((sig.Mss != -1 && sig.Mss != probe.Mss)
                || (sig.WindowScale != -1 && sig.WindowScale != probe.WindowScale)
                || (sig.PayloadClass != -1 && sig.PayloadClass != probe.PayloadClass))
            {
                continue;
            }

            if (!WindowMatches(sig, probe, multiplier, useMtu))
            {
                continue;
            }

            if (!fuzzy)
            {
                if (!sig.Label.IsGeneric)
                {
                    return sig;
                }

                generic ??= sig;
            }
            else
            {
                fuzzyCandidate ??= sig;
            }
        }

        if (duplicateCheck)
        {
            generic = null;
            fuzzyCandidate = null;
        }

        return null;
    }

    private static bool WindowMatches(TcpSignature sig, in TcpProbe probe, int multiplier, bool useMtu)
    {
        // Two database signatures: the window specs must be identical.
        if (probe.WindowType != TcpWindowType.Normal)
        {
            return sig.WindowType == probe.WindowType && sig.WindowValue == probe.Window;
        }

        return sig.WindowType switch
        {
            TcpWindowType.Normal => sig.WindowValue == probe.Window,
            TcpWindowType.Modulo => probe.Window % sig.WindowValue == 0,
            TcpWindowType.Mss => !useMtu && sig.WindowValue == multiplier,
            TcpWindowType.Mtu => useMtu && sig.WindowValue == multiplier,
            _ => true,
        };
    }
}
