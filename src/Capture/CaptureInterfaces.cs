using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using P0fSharp.Capture.Native;
using P0fSharp.Engine.Packets;
using SharpPcap;
using SharpPcap.LibPcap;

namespace P0fSharp.Capture;

/// <summary>One capture interface as <c>pcap_findalldevs</c> reports it.</summary>
/// <param name="Name">Interface name (what <c>-i</c> takes).</param>
/// <param name="Description">libpcap's description, or null.</param>
/// <param name="IsLoopback">PCAP_IF_LOOPBACK.</param>
/// <param name="Address">The first IPv4 or IPv6 address in libpcap's list (what p0f <c>-L</c> shows), or null.</param>
public sealed record CaptureInterfaceInfo(string Name, string? Description, bool IsLoopback, HostAddress? Address);

/// <summary>Interface enumeration for <c>-L</c> and the default interface for a missing <c>-i</c>.</summary>
public static class CaptureInterfaces
{
    /// <summary>All interfaces libpcap can capture on, in libpcap's order.</summary>
    /// <exception cref="CaptureOpenException"><c>pcap_findalldevs: ...</c> when libpcap fails.</exception>
    public static IReadOnlyList<CaptureInterfaceInfo> List()
    {
        LibPcapLiveDeviceList devices;
        try
        {
            devices = LibPcapLiveDeviceList.New();
        }
        catch (PcapException ex)
        {
            throw new CaptureOpenException("pcap_findalldevs: " + ex.Message, null, ex);
        }

        var result = new List<CaptureInterfaceInfo>(devices.Count);
        Span<byte> bytes = stackalloc byte[16];
        foreach (LibPcapLiveDevice device in devices)
        {
            HostAddress? address = null;
            foreach (PcapAddress entry in device.Addresses)
            {
                System.Net.IPAddress? ip = entry.Addr?.ipAddress;
                if (ip is null)
                {
                    continue;
                }

                if (ip.AddressFamily == AddressFamily.InterNetwork && ip.TryWriteBytes(bytes, out _))
                {
                    address = HostAddress.FromIPv4(bytes);
                    break;
                }

                if (ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.TryWriteBytes(bytes, out _))
                {
                    address = HostAddress.FromIPv6(bytes);
                    break;
                }
            }

            result.Add(new CaptureInterfaceInfo(device.Name, device.Description, device.Loopback, address));
        }

        return result;
    }

    /// <summary>
    /// libpcap's default capture device (<c>pcap_lookupdev</c>, which p0f uses when no
    /// <c>-i</c> is given), or null when libpcap has none
    /// (p0f: <c>libpcap is out of ideas; use -i to specify interface.</c>).
    /// </summary>
    public static unsafe string? DefaultInterfaceName()
    {
        PcapNative.EnsureInitialized();
        byte* errorBuffer = stackalloc byte[PcapNative.ErrorBufferSize];
        errorBuffer[0] = 0;
        nint name = PcapNative.pcap_lookupdev(errorBuffer);
        return name == 0 ? null : Marshal.PtrToStringUTF8(name);
    }

    /// <summary>
    /// p0f 3.09b's <c>-L</c> listing (everything after its banner), e.g.
    /// <c>\n-- Available interfaces --\n\n  0: Name        : eth0\n     Description : -\n     IP address  : 192.0.2.2\n ... \n</c>.
    /// </summary>
    public static string FormatP0fListing(IReadOnlyList<CaptureInterfaceInfo> interfaces)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        var text = new StringBuilder();
        text.Append("\n-- Available interfaces --\n");
        for (int i = 0; i < interfaces.Count; i++)
        {
            CaptureInterfaceInfo entry = interfaces[i];
            text.Append('\n')
                .Append((i & 0xFF).ToString(CultureInfo.InvariantCulture).PadLeft(3))
                .Append(": Name        : ").Append(entry.Name).Append('\n');
            text.Append("     Description : ").Append(entry.Description ?? "-").Append('\n');
            text.Append("     IP address  : ")
                .Append(entry.Address is { } address ? address.ToString() : "(none)")
                .Append('\n');
        }

        text.Append('\n');
        return text.ToString();
    }
}
