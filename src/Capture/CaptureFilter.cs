using System.Runtime.InteropServices;
using P0fSharp.Capture.Native;

namespace P0fSharp.Capture;

/// <summary>
/// The BPF filter installed on a capture, built the way p0f 3.09b's <c>prepare_bpf()</c>
/// builds it (spec §9.3).
/// </summary>
/// <param name="UserRule">The user's rule (p0f's positional argument), or null for the default filter.</param>
/// <param name="Expression">The expression actually compiled and installed.</param>
/// <param name="Vlan">True when the VLAN form was installed (Ethernet, and it compiled).</param>
public sealed record CaptureFilter(string? UserRule, string Expression, bool Vlan)
{
    private static readonly Lock CompileLock = new();

    /// <summary>
    /// p0f's banner line for this filter: <c>[+] Default packet filtering configured[ [+VLAN]].</c>
    /// or <c>[+] Custom filtering rule enabled: R[ [+VLAN]]</c>.
    /// </summary>
    public string BannerLine => UserRule is null
        ? "[+] Default packet filtering configured" + (Vlan ? " [+VLAN]" : string.Empty) + "."
        : "[+] Custom filtering rule enabled: " + UserRule + (Vlan ? " [+VLAN]" : string.Empty);

    /// <summary>
    /// p0f's filter text: <c>tcp or (vlan and tcp)</c> / <c>(tcp and (R)) or (vlan and tcp and (R))</c>
    /// with VLAN, <c>tcp</c> / <c>tcp and (R)</c> without.
    /// </summary>
    public static string BuildExpression(string? userRule, bool vlan)
    {
        if (userRule is null)
        {
            return vlan ? "tcp or (vlan and tcp)" : "tcp";
        }

        return vlan
            ? "(tcp and (" + userRule + ")) or (vlan and tcp and (" + userRule + "))"
            : "tcp and (" + userRule + ")";
    }

    /// <summary>
    /// Compiles and installs p0f's filter on an open handle: VLAN form first on Ethernet,
    /// retried without VLAN if it does not compile.
    /// </summary>
    /// <exception cref="CaptureFilterException">Neither form compiled, or pcap_setfilter failed.</exception>
    internal static CaptureFilter Install(SafeHandle handle, int linkType, string? userRule)
    {
        PcapNative.EnsureInitialized();
        using var lease = new HandleLease(handle);
        bool vlan = linkType == LinkTypes.Ethernet;
        while (true)
        {
            string expression = BuildExpression(userRule, vlan);
            if (TryInstall(lease.Pointer, expression, out bool compiled, out string error))
            {
                return new CaptureFilter(userRule, expression, vlan);
            }

            if (compiled)
            {
                throw new CaptureFilterException(error, expression, userRule, setFilterFailed: true);
            }

            if (!vlan)
            {
                throw new CaptureFilterException(error, expression, userRule, setFilterFailed: false);
            }

            vlan = false;
        }
    }

    private static unsafe bool TryInstall(nint pcap, string expression, out bool compiled, out string error)
    {
        PcapNative.BpfProgram program = default;
        lock (CompileLock)
        {
            // optimize = 1, netmask = 0, exactly as p0f calls it.
            if (PcapNative.pcap_compile(pcap, &program, expression, 1, 0) != 0)
            {
                compiled = false;
                error = PcapNative.GetError(pcap);
                return false;
            }
        }

        compiled = true;
        try
        {
            if (PcapNative.pcap_setfilter(pcap, &program) != 0)
            {
                error = PcapNative.GetError(pcap);
                return false;
            }
        }
        finally
        {
            PcapNative.pcap_freecode(&program);
        }

        error = string.Empty;
        return true;
    }
}
