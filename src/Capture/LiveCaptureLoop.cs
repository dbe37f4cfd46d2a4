using System.Runtime.InteropServices;
using P0fSharp.Capture.Native;

namespace P0fSharp.Capture;

/// <summary>
/// The live read loop: a non-blocking <c>pcap_next_ex</c> drains the ring, and when it is
/// empty the loop waits in <c>poll()</c> on the capture descriptor for at most 10 ms, as
/// p0f's event loop does.
/// </summary>
/// <remarks>
/// A blocking read cannot be used for this: with TPACKET_V3 (every current Linux) libpcap
/// waits for the kernel to retire a ring block, and the kernel only retires blocks that hold
/// a packet, so an idle wire never produces the read timeout and buffered log lines would
/// sit unwritten until the next packet. Here the idle callback runs after 10 ms without
/// traffic (p0f flushes its log at that point) and, under steady traffic, at least once a
/// second whenever the ring has been drained, so output never lags by more than that.
/// </remarks>
internal static unsafe partial class LiveCaptureLoop
{
    private const short PollIn = 0x001;
    private const int PollMilliseconds = 10;
    private const long IdleCallbackMaxMilliseconds = 1000;
    private const int EINTR = 4;

    internal static CaptureLoop.Exit Run<THandler>(
        SafeHandle handle,
        ref THandler handler,
        StopSignal stop,
        Action? onIdle,
        ref long packets,
        out string? error)
        where THandler : IPacketHandler, allows ref struct
    {
        PcapNative.EnsureInitialized();
        using var lease = new HandleLease(handle);
        nint pcap = lease.Pointer;
        error = null;

        byte* errorBuffer = stackalloc byte[PcapNative.ErrorBufferSize];
        if (pcap_setnonblock(pcap, 1, errorBuffer) != 0)
        {
            error = "pcap_setnonblock: " + Marshal.PtrToStringUTF8((nint)errorBuffer);
            return CaptureLoop.Exit.Error;
        }

        int fd = pcap_get_selectable_fd(pcap);
        if (fd < 0)
        {
            error = "the capture has no selectable descriptor";
            return CaptureLoop.Exit.Error;
        }

        long lastIdle = Environment.TickCount64;
        while (!stop.Requested)
        {
            int rc = PcapNative.pcap_next_ex(pcap, out nint header, out nint data);
            if (rc == PcapNative.NextPacket)
            {
                CaptureLoop.Deliver(header, data, ref handler, ref packets);
                continue;
            }

            if (rc == PcapNative.NextTimeout)
            {
                // Ring drained. Errors on the descriptor (interface gone) surface through the
                // next pcap_next_ex, which checks them itself.
                PollFd poll = new() { Fd = fd, Events = PollIn };
                int ready = PollOnce(&poll);
                if (ready < 0 && Marshal.GetLastPInvokeError() != EINTR)
                {
                    error = "poll() on the capture descriptor: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
                    return CaptureLoop.Exit.Error;
                }

                long now = Environment.TickCount64;
                if (ready == 0 || now - lastIdle >= IdleCallbackMaxMilliseconds)
                {
                    lastIdle = now;
                    onIdle?.Invoke();
                }

                continue;
            }

            if (rc == PcapNative.NextBreakOrEof)
            {
                if (stop.Requested)
                {
                    return CaptureLoop.Exit.Stopped;
                }

                continue; // a stale pcap_breakloop from an earlier run
            }

            error = PcapNative.GetError(pcap);
            return CaptureLoop.Exit.Error;
        }

        return CaptureLoop.Exit.Stopped;
    }

    private static int PollOnce(PollFd* poll) => Poll(poll, 1, PollMilliseconds);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(PcapNative.Library)]
    private static partial int pcap_setnonblock(nint pcap, int nonblock, byte* errorBuffer);

    [LibraryImport(PcapNative.Library)]
    private static partial int pcap_get_selectable_fd(nint pcap);

    [LibraryImport(PcapNative.LibC, EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}
