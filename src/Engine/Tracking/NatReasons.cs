namespace P0fSharp.Engine.Tracking;

/// <summary>Why a host looks shared or changed; bit order is p0f's print order.</summary>
[Flags]
public enum NatReasons : ushort
{
    None = 0,
    AppVsOs = 1 << 0,
    OsDiff = 1 << 1,
    SigDiff = 1 << 2,
    XKnown = 1 << 3,
    Tstamp = 1 << 4,
    Ttl = 1 << 5,
    Port = 1 << 6,
    Mtu = 1 << 7,
    Fuzzy = 1 << 8,
    Via = 1 << 9,
    Date = 1 << 10,
    SrvSigLb = 1 << 11,
    UaVsOs = 1 << 12,
}

public static class NatReasonNames
{
    private static readonly string[] Names =
    [
        "app_vs_os", "os_diff", "sig_diff", "x_known", "tstamp", "ttl", "port", "mtu",
        "fuzzy", "via", "date", "srv_sig_lb", "ua_vs_os",
    ];

    /// <summary>Space-joined reason words, or <c>???</c> when there are none.</summary>
    public static int Format(NatReasons reasons, Span<char> destination)
    {
        if (reasons == NatReasons.None)
        {
            "???".CopyTo(destination);
            return 3;
        }

        int written = 0;
        for (int bit = 0; bit < Names.Length; bit++)
        {
            if (((ushort)reasons & (1 << bit)) == 0)
            {
                continue;
            }

            if (written > 0)
            {
                destination[written++] = ' ';
            }

            Names[bit].CopyTo(destination[written..]);
            written += Names[bit].Length;
        }

        return written;
    }
}
