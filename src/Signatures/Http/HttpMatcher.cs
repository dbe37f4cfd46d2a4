namespace P0fSharp.Signatures.Http;

/// <summary>
/// p0f's HTTP matching (http_find_match). Also used while loading, with a new signature in
/// the role of the observation, to reject signatures already covered by an earlier one.
/// </summary>
internal static class HttpMatcher
{
    public static HttpMatchResult Match(IReadOnlyList<HttpSignature> signatures, HttpObservation observation)
    {
        var probe = new ObservationProbe(observation);
        HttpSignature? generic = null;
        foreach (HttpSignature sig in signatures)
        {
            if (!Matches(sig, probe))
            {
                continue;
            }

            if (!sig.Label.IsGeneric)
            {
                return new HttpMatchResult(sig, IsDishonest(sig, observation.Software));
            }

            generic ??= sig;
        }

        return generic is null
            ? default
            : new HttpMatchResult(generic, IsDishonest(generic, observation.Software));
    }

    /// <summary>
    /// The earlier specific signature that already matches everything <paramref name="candidate"/>
    /// would, or null. An earlier signature banning more headers does not cover a later one.
    /// </summary>
    public static HttpSignature? FindCovering(IReadOnlyList<HttpSignature> signatures, HttpSignature candidate)
    {
        var probe = new SignatureProbe(candidate);
        foreach (HttpSignature sig in signatures)
        {
            if (sig.Label.IsGeneric || !Matches(sig, probe))
            {
                continue;
            }

            if (IsSubset(sig.Absent, candidate.Absent))
            {
                return sig;
            }
        }

        return null;
    }

    private static bool Matches<TProbe>(HttpSignature sig, in TProbe probe)
        where TProbe : struct, IHttpProbe
    {
        if (sig.Version != -1 && sig.Version != probe.Version)
        {
            return false;
        }

        // p0f pre-filters with a Bloom filter of the probe's "present" headers; exact set
        // semantics give the same answers except for (seed-dependent) filter collisions.
        foreach (HttpSignatureHeader h in sig.Headers)
        {
            if (!h.Optional && !probe.IsPresent(h.Id))
            {
                return false;
            }
        }

        int count = probe.Count;
        int cursor = 0;
        foreach (HttpSignatureHeader h in sig.Headers)
        {
            int found = -1;
            for (int k = cursor; k < count; k++)
            {
                if (probe.IdAt(k) == h.Id)
                {
                    found = k;
                    break;
                }
            }

            if (found < 0)
            {
                // A missing optional header is fine only if it is missing everywhere.
                if (!h.Optional || Contains(probe, h.Id))
                {
                    return false;
                }

                continue;
            }

            if (h.Value is not null)
            {
                string? observed = probe.ValueAt(found);
                if (observed is null || !ContainsC(observed, h.Value))
                {
                    return false;
                }
            }

            cursor = found + 1;
        }

        foreach (int banned in sig.Absent)
        {
            if (probe.IsPresent(banned))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Contains<TProbe>(in TProbe probe, int id)
        where TProbe : struct, IHttpProbe
    {
        for (int k = 0; k < probe.Count; k++)
        {
            if (probe.IdAt(k) == id)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSubset(IReadOnlyList<int> subset, IReadOnlyList<int> set)
    {
        if (subset.Count > set.Count)
        {
            return false;
        }

        foreach (int id in subset)
        {
            bool found = false;
            foreach (int other in set)
            {
                if (other == id)
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDishonest(HttpSignature sig, string? software)
        => sig.ExpectedSoftware is not null && software is not null && !ContainsC(software, sig.ExpectedSoftware);

    /// <summary>strstr(): the haystack ends at its first NUL, as a C string would.</summary>
    private static bool ContainsC(string haystack, string needle)
    {
        ReadOnlySpan<char> h = haystack;
        int nul = h.IndexOf('\0');
        if (nul >= 0)
        {
            h = h[..nul];
        }

        return h.Contains(needle, StringComparison.Ordinal);
    }

    private interface IHttpProbe
    {
        int Version { get; }

        int Count { get; }

        int IdAt(int index);

        string? ValueAt(int index);

        /// <summary>Membership as p0f's Bloom filter sees it.</summary>
        bool IsPresent(int id);
    }

    private readonly struct ObservationProbe : IHttpProbe
    {
        private readonly HttpObservation _obs;

        public ObservationProbe(HttpObservation obs) => _obs = obs;

        public int Version => _obs.Version;

        public int Count => _obs.Headers.Count;

        public int IdAt(int index) => _obs.Headers[index].Id;

        public string? ValueAt(int index) => _obs.Headers[index].Value;

        public bool IsPresent(int id)
        {
            if (id < 0)
            {
                return false;
            }

            IReadOnlyList<HttpObservedHeader> headers = _obs.Headers;
            for (int i = 0; i < headers.Count; i++)
            {
                if (headers[i].Id == id)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// A database signature in the observation role. Its Bloom filter only holds its
    /// mandatory headers, so optional ones count as "present" for the ordered scan but not
    /// for the filter and the absent-header test.
    /// </summary>
    private readonly struct SignatureProbe : IHttpProbe
    {
        private readonly HttpSignature _sig;

        public SignatureProbe(HttpSignature sig) => _sig = sig;

        public int Version => _sig.Version;

        public int Count => _sig.Headers.Count;

        public int IdAt(int index) => _sig.Headers[index].Id;

        public string? ValueAt(int index) => _sig.Headers[index].Value;

        public bool IsPresent(int id)
        {
            foreach (HttpSignatureHeader h in _sig.Headers)
            {
                if (!h.Optional && h.Id == id)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
