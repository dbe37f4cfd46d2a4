using P0fSharp.Engine.Packets;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Capture.Tests.Support;

/// <summary>One frame read from a file and decoded (managed copies, for assertions).</summary>
internal sealed record DecodedRecord(
    int Index,
    DecodeStatus Status,
    PacketTime Time,
    int WireLength,
    string Source,
    ushort SourcePort,
    string Destination,
    ushort DestinationPort,
    uint Sequence,
    uint Acknowledgement,
    TcpFlags Flags,
    TcpFingerprint Fingerprint,
    byte[] Payload,
    string? RawSig);

/// <summary>Reads a capture file through <see cref="OfflineCaptureReader"/> and decodes every frame.</summary>
internal sealed class DecodeRun
{
    public List<DecodedRecord> Records { get; } = [];

    public List<string> Warnings { get; } = [];

    public required CaptureRunResult Result { get; init; }

    public required CaptureFilter? Filter { get; init; }

    public required int LinkType { get; init; }

    public IEnumerable<DecodedRecord> Ok => Records.Where(r => r.Status == DecodeStatus.Ok);

    public static DecodeRun Read(string path, DecoderOptions? options = null, bool filter = true, string? rule = null)
    {
        using OfflineCaptureReader reader = OfflineCaptureReader.Open(path);
        CaptureFilter? installed = filter ? reader.ApplyFilter(rule) : null;
        var warnings = new List<string>();
        var decoder = new PacketDecoder(reader.LinkType, options, warnings.Add);
        var records = new List<DecodedRecord>();
        var synMss = new Dictionary<(HostAddress, ushort, HostAddress, ushort), ushort>();

        CaptureRunResult result = reader.ReadAll((data, wire, time) =>
        {
            var packet = default(DecodedPacket);
            DecodeStatus status = decoder.Decode(data, wire, ref packet);
            records.Add(ToRecord(records.Count, status, time, wire, ref packet, synMss));
        });

        var run = new DecodeRun { Result = result, Filter = installed, LinkType = reader.LinkType };
        run.Records.AddRange(records);
        run.Warnings.AddRange(warnings);
        return run;
    }

    /// <summary>Decodes in-memory frames with a fresh decoder.</summary>
    public static List<DecodedRecord> DecodeFrames(int linkType, IEnumerable<byte[]> frames, DecoderOptions? options = null, List<string>? warnings = null)
    {
        var decoder = new PacketDecoder(linkType, options, warnings is null ? null : warnings.Add);
        var records = new List<DecodedRecord>();
        var synMss = new Dictionary<(HostAddress, ushort, HostAddress, ushort), ushort>();
        foreach (byte[] frame in frames)
        {
            var packet = default(DecodedPacket);
            DecodeStatus status = decoder.Decode(frame, frame.Length, ref packet);
            records.Add(ToRecord(records.Count, status, default, frame.Length, ref packet, synMss));
        }

        return records;
    }

    private static DecodedRecord ToRecord(
        int index,
        DecodeStatus status,
        PacketTime time,
        int wire,
        ref DecodedPacket packet,
        Dictionary<(HostAddress, ushort, HostAddress, ushort), ushort> synMss)
    {
        if (status != DecodeStatus.Ok)
        {
            return new DecodedRecord(index, status, time, wire, string.Empty, 0, string.Empty, 0, 0, 0, TcpFlags.None, default, [], null);
        }

        string? raw = null;
        var type = packet.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Fin | TcpFlags.Rst);
        if (type == TcpFlags.Syn)
        {
            synMss[(packet.Source, packet.SourcePort, packet.Destination, packet.DestinationPort)] = packet.Fingerprint.Mss;
            raw = RawSig.Format(packet.Fingerprint, packet.Flags);
        }
        else if (type == (TcpFlags.Syn | TcpFlags.Ack))
        {
            synMss.TryGetValue((packet.Destination, packet.DestinationPort, packet.Source, packet.SourcePort), out ushort peerMss);
            raw = RawSig.Format(packet.Fingerprint, packet.Flags, peerMss);
        }

        return new DecodedRecord(
            index,
            status,
            time,
            wire,
            packet.Source.ToString(),
            packet.SourcePort,
            packet.Destination.ToString(),
            packet.DestinationPort,
            packet.Sequence,
            packet.Acknowledgement,
            packet.Flags,
            packet.Fingerprint,
            packet.Payload.ToArray(),
            raw);
    }
}
