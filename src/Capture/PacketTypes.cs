using P0fSharp.Engine.Packets;

namespace P0fSharp.Capture;

/// <summary>
/// Receives one captured frame: the captured bytes (valid only during the call), the
/// original length on the wire and the capture timestamp.
/// </summary>
public delegate void PacketCallback(ReadOnlySpan<byte> data, int wireLength, PacketTime time);

/// <summary>
/// Struct-friendly packet consumer for the generic read loops (the call is devirtualised
/// for struct implementations).
/// </summary>
public interface IPacketHandler
{
    /// <summary>One captured frame; <paramref name="data"/> is valid only during the call.</summary>
    void OnPacket(ReadOnlySpan<byte> data, int wireLength, PacketTime time);
}

/// <summary>Why a capture loop ended.</summary>
public enum CaptureEndReason
{
    /// <summary>The capture file was read to its end.</summary>
    EndOfFile,

    /// <summary>Stop was requested (pcap_breakloop).</summary>
    Stopped,

    /// <summary>libpcap reported an error (truncated/corrupt file, interface down); see <see cref="CaptureRunResult.Error"/>.</summary>
    Error,

    /// <summary>The packet callback threw; see <see cref="CaptureRunResult.Fault"/> (live capture thread only).</summary>
    CallbackFault,
}

/// <summary>Summary of one capture loop.</summary>
/// <param name="Packets">Packets handed to the callback (p0f's "Processed N packets").</param>
/// <param name="EndReason">Why the loop ended.</param>
/// <param name="Error">libpcap's error text when <paramref name="EndReason"/> is <see cref="CaptureEndReason.Error"/>.</param>
/// <param name="Fault">The callback's exception when <paramref name="EndReason"/> is <see cref="CaptureEndReason.CallbackFault"/>.</param>
public sealed record CaptureRunResult(long Packets, CaptureEndReason EndReason, string? Error = null, Exception? Fault = null);

/// <summary>Kernel/libpcap counters from <c>pcap_stats</c> (read with P0fSharp's own import).</summary>
/// <param name="Received">ps_recv: packets received (passed the filter, on Linux).</param>
/// <param name="DroppedByKernel">ps_drop: dropped for lack of buffer space.</param>
/// <param name="DroppedByInterface">ps_ifdrop: dropped by the interface/driver.</param>
public readonly record struct CaptureStatistics(uint Received, uint DroppedByKernel, uint DroppedByInterface);
