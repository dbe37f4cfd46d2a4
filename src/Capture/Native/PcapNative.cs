using System.Reflection;
using System.Runtime.InteropServices;

namespace P0fSharp.Capture.Native;

/// <summary>
/// The few libpcap entry points P0fSharp calls itself (SharpPcap opens the handles).
/// Raw <c>pcap_t*</c> pointers are used; callers keep the owning SafeHandle referenced
/// (see <see cref="HandleLease"/>) for the duration of every call.
/// </summary>
internal static unsafe partial class PcapNative
{
    internal const string Library = "pcap";
    internal const string LibC = "libc";

    /// <summary>pcap_next_ex: packet read.</summary>
    internal const int NextPacket = 1;

    /// <summary>pcap_next_ex: live read timeout expired.</summary>
    internal const int NextTimeout = 0;

    /// <summary>pcap_next_ex / pcap_dispatch: error, text via pcap_geterr.</summary>
    internal const int NextError = -1;

    /// <summary>pcap_next_ex: end of savefile or pcap_breakloop.</summary>
    internal const int NextBreakOrEof = -2;

    /// <summary>PCAP_ERRBUF_SIZE.</summary>
    internal const int ErrorBufferSize = 256;

    internal const int StatusError = -1;
    internal const int StatusNoSuchDevice = -5;
    internal const int StatusPermissionDenied = -8;
    internal const int StatusPromiscuousPermissionDenied = -11;

    /// <summary>Same order as SharpPcap's resolver so both load the very same library.</summary>
    private static readonly string[] PcapCandidates = OperatingSystem.IsMacOS()
        ? ["libpcap.dylib", "libpcap.A.dylib"]
        : OperatingSystem.IsWindows()
            ? ["wpcap.dll"]
            : ["libpcap.so", "libpcap.so.0", "libpcap.so.0.8", "libpcap.so.1"];

    private static readonly string[] LibCCandidates = OperatingSystem.IsMacOS()
        ? ["libSystem.dylib"]
        : ["libc.so.6", "libc"];

    static PcapNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(PcapNative).Assembly, Resolve);
    }

    /// <summary>Forces the resolver registration (static constructor) to run.</summary>
    internal static void EnsureInitialized()
    {
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        string[]? candidates = name switch
        {
            Library => PcapCandidates,
            LibC => LibCCandidates,
            _ => null,
        };

        if (candidates is null)
        {
            return 0;
        }

        foreach (string candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out nint handle))
            {
                return handle;
            }
        }

        return 0;
    }

    [LibraryImport(Library)]
    internal static partial int pcap_next_ex(nint pcap, out nint header, out nint data);

    [LibraryImport(Library)]
    internal static partial void pcap_breakloop(nint pcap);

    [LibraryImport(Library)]
    internal static partial int pcap_stats(nint pcap, PcapStat* stats);

    [LibraryImport(Library)]
    internal static partial int pcap_datalink(nint pcap);

    /// <summary>The DLT_ link type of an open handle.</summary>
    internal static int DataLink(SafeHandle handle)
    {
        using var lease = new HandleLease(handle);
        return pcap_datalink(lease.Pointer);
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int pcap_compile(nint pcap, BpfProgram* program, string expression, int optimize, uint netmask);

    [LibraryImport(Library)]
    internal static partial int pcap_setfilter(nint pcap, BpfProgram* program);

    [LibraryImport(Library)]
    internal static partial void pcap_freecode(BpfProgram* program);

    [LibraryImport(Library)]
    internal static partial nint pcap_geterr(nint pcap);

    [LibraryImport(Library)]
    internal static partial nint pcap_statustostr(int status);

    [LibraryImport(Library)]
    internal static partial nint pcap_lookupdev(byte* errorBuffer);

    [LibraryImport(LibC, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int access(string path, int mode);

    /// <summary>pcap_geterr as a managed string.</summary>
    internal static string GetError(nint pcap) => Marshal.PtrToStringUTF8(pcap_geterr(pcap)) ?? string.Empty;

    /// <summary>pcap_statustostr as a managed string.</summary>
    internal static string StatusToString(int status) => Marshal.PtrToStringUTF8(pcap_statustostr(status)) ?? string.Empty;

    /// <summary>
    /// Reads <c>struct pcap_pkthdr</c> (<c>struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len;</c>).
    /// The timeval members are C <c>long</c>: pointer-sized on LP64 Unix, 32-bit on Windows.
    /// </summary>
    internal static void ReadHeader(nint header, out long seconds, out int microseconds, out int captureLength, out int wireLength)
    {
        byte* h = (byte*)header;
        int fieldSize = OperatingSystem.IsWindows() ? 4 : IntPtr.Size;
        if (fieldSize == 8)
        {
            seconds = *(long*)h;
            microseconds = (int)*(long*)(h + 8);
        }
        else
        {
            seconds = *(int*)h;
            microseconds = *(int*)(h + 4);
        }

        uint caplen = *(uint*)(h + (2 * fieldSize));
        uint len = *(uint*)(h + (2 * fieldSize) + 4);
        captureLength = caplen > int.MaxValue ? int.MaxValue : (int)caplen;
        wireLength = len > int.MaxValue ? int.MaxValue : (int)len;
    }

    /// <summary><c>struct pcap_stat</c> (three <c>u_int</c>s; a fourth on Windows, reserved here).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PcapStat
    {
        public uint Received;
        public uint Dropped;
        public uint InterfaceDropped;
        public uint Captured;
    }

    /// <summary><c>struct bpf_program</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BpfProgram
    {
        public uint Length;
        public nint Instructions;
    }
}
