using System.Runtime.InteropServices;
using P0fSharp.Capture.Native;
using SharpPcap;
using SharpPcap.LibPcap;

namespace P0fSharp.Capture;

/// <summary>
/// Reads a pcap or pcapng file through libpcap (SharpPcap opens it; P0fSharp runs its own
/// allocation-free <c>pcap_next_ex</c> loop). Behaves like p0f's <c>-r</c>: the BPF filter
/// applies to the file too, and a file that is cut or corrupt ends the run quietly after the
/// packets read so far, with libpcap's error text in the result.
/// </summary>
public sealed class OfflineCaptureReader : IDisposable
{
    private const int AccessReadOk = 4;
    private const string SharpPcapOpenPrefix = "Unable to open offline adapter: ";

    private readonly CaptureFileReaderDevice _device;
    private readonly StopSignal _stop = new();
    private bool _disposed;

    private OfflineCaptureReader(string path, CaptureFileReaderDevice device, int linkType)
    {
        Path = path;
        _device = device;
        LinkType = linkType;
    }

    /// <summary>The file name as given.</summary>
    public string Path { get; }

    /// <summary>The file's datalink type as libpcap maps it (<c>pcap_datalink</c>; e.g. LINKTYPE_RAW 101 reads as 12).</summary>
    public int LinkType { get; }

    /// <summary>The installed filter, or null when none was applied (libpcap then passes every packet).</summary>
    public CaptureFilter? Filter { get; private set; }

    /// <summary>Packets handed to callbacks so far (p0f's "Processed N packets").</summary>
    public long PacketsRead { get; private set; }

    /// <summary>
    /// Opens a capture file the way p0f does: <c>access(R_OK)</c> first, then libpcap.
    /// </summary>
    /// <exception cref="CaptureOpenException">
    /// <c>Can't access file 'f'.</c> (with <see cref="CaptureOpenException.OsMessage"/>) when the file is
    /// missing or unreadable; <c>pcap_open_offline: &lt;libpcap error&gt;</c> when libpcap rejects it.
    /// </exception>
    public static OfflineCaptureReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        PcapNative.EnsureInitialized();
        CheckAccess(path);

        var device = new CaptureFileReaderDevice(path);
        try
        {
            device.Open(new DeviceConfiguration { TimestampResolution = TimestampResolution.Microsecond });
        }
        catch (PcapException ex)
        {
            device.Dispose();
            string text = ex.Message.StartsWith(SharpPcapOpenPrefix, StringComparison.Ordinal)
                ? ex.Message[SharpPcapOpenPrefix.Length..]
                : ex.Message;
            throw new CaptureOpenException("pcap_open_offline: " + text, null, ex);
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            device.Dispose();
            throw CaptureOpenException.LibpcapNotLoaded(ex);
        }

        try
        {
            int linkType = PcapNative.DataLink(device.Handle);
            return new OfflineCaptureReader(path, device, linkType);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Installs p0f's filter (<c>tcp or (vlan and tcp)</c> on Ethernet, <c>tcp</c> otherwise,
    /// wrapping <paramref name="userRule"/> when given; VLAN form retried without VLAN).
    /// </summary>
    /// <exception cref="CaptureFilterException">The rule does not compile.</exception>
    public CaptureFilter ApplyFilter(string? userRule)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Filter = CaptureFilter.Install(_device.Handle, LinkType, userRule);
        return Filter;
    }

    /// <summary>Reads every remaining packet into <paramref name="callback"/> on the calling thread.</summary>
    public CaptureRunResult ReadAll(PacketCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var handler = new CaptureLoop.CallbackHandler(callback);
        return ReadAll(ref handler);
    }

    /// <summary>
    /// Reads every remaining packet into <paramref name="handler"/> on the calling thread
    /// (0 managed allocations per packet). Exceptions thrown by the handler propagate; the
    /// reader stays usable. A truncated or corrupt file ends the loop with
    /// <see cref="CaptureEndReason.Error"/> and libpcap's message, never an exception.
    /// </summary>
    public CaptureRunResult ReadAll<THandler>(ref THandler handler)
        where THandler : IPacketHandler, allows ref struct
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long packets = 0;
        CaptureLoop.Exit exit;
        string? error;
        try
        {
            exit = CaptureLoop.Run(_device.Handle, ref handler, _stop, live: false, null, ref packets, out error);
        }
        finally
        {
            PacketsRead += packets;
        }

        return exit switch
        {
            CaptureLoop.Exit.Error => new CaptureRunResult(packets, CaptureEndReason.Error, error),
            CaptureLoop.Exit.Stopped => new CaptureRunResult(packets, CaptureEndReason.Stopped),
            _ => new CaptureRunResult(packets, CaptureEndReason.EndOfFile),
        };
    }

    /// <summary>Asks a running <see cref="ReadAll(PacketCallback)"/> to return after the current packet (any thread).</summary>
    public void RequestStop() => _stop.Request();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _device.Dispose();
    }

    private static void CheckAccess(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            if (!File.Exists(path))
            {
                throw new CaptureOpenException("Can't access file '" + path + "'.", "No such file or directory");
            }

            return;
        }

        if (PcapNative.access(path, AccessReadOk) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new CaptureOpenException("Can't access file '" + path + "'.", Marshal.GetPInvokeErrorMessage(errno));
        }
    }
}
