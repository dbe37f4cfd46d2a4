using System.Runtime.InteropServices;
using P0fSharp.Capture.Native;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Capture;

/// <summary>The allocation-free pull loop over <c>pcap_next_ex</c> shared by the offline and live sources.</summary>
internal static class CaptureLoop
{
    /// <summary>How the native loop ended.</summary>
    internal enum Exit
    {
        BreakOrEndOfFile,
        Stopped,
        Error,
    }

    /// <summary>
    /// Reads packets until end of file, pcap_breakloop, an error, or <paramref name="stop"/>
    /// is requested (checked between packets and on every read timeout). On a live handle a
    /// PCAP_ERROR_BREAK without a stop request is a stale pcap_breakloop from an earlier
    /// session and is ignored.
    /// </summary>
    internal static unsafe Exit Run<THandler>(
        SafeHandle handle,
        ref THandler handler,
        StopSignal stop,
        bool live,
        Action? onTimeout,
        ref long packets,
        out string? error)
        where THandler : IPacketHandler, allows ref struct
    {
        PcapNative.EnsureInitialized();
        using var lease = new HandleLease(handle);
        nint pcap = lease.Pointer;
        error = null;
        while (!stop.Requested)
        {
            int rc = PcapNative.pcap_next_ex(pcap, out nint header, out nint data);
            if (rc == PcapNative.NextPacket)
            {
                Deliver(header, data, ref handler, ref packets);
                continue;
            }

            if (rc == PcapNative.NextTimeout)
            {
                onTimeout?.Invoke();
                continue;
            }

            if (rc == PcapNative.NextBreakOrEof)
            {
                if (stop.Requested)
                {
                    return Exit.Stopped;
                }

                if (live)
                {
                    continue;
                }

                return Exit.BreakOrEndOfFile;
            }

            error = PcapNative.GetError(pcap);
            return Exit.Error;
        }

        return Exit.Stopped;
    }

    /// <summary>Hands one frame returned by <c>pcap_next_ex</c> to the handler (shared by the offline and live loops).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Deliver<THandler>(nint header, nint data, ref THandler handler, ref long packets)
        where THandler : IPacketHandler, allows ref struct
    {
        PcapNative.ReadHeader(header, out long seconds, out int microseconds, out int captured, out int wire);
        var frame = new ReadOnlySpan<byte>((void*)data, captured);
        packets++;
        handler.OnPacket(frame, wire, new PacketTime(seconds, microseconds));
    }

    /// <summary>Adapts a <see cref="PacketCallback"/> delegate to <see cref="IPacketHandler"/>.</summary>
    internal readonly struct CallbackHandler(PacketCallback callback) : IPacketHandler
    {
        public void OnPacket(ReadOnlySpan<byte> data, int wireLength, PacketTime time) => callback(data, wireLength, time);
    }
}

/// <summary>A cross-thread stop request flag.</summary>
internal sealed class StopSignal
{
    private volatile bool _requested;

    public bool Requested => _requested;

    public void Request() => _requested = true;

    public void Reset() => _requested = false;
}
