using System.Buffers.Binary;
using System.Text;

namespace P0fSharp.Capture.Tests.Support;

/// <summary>A frame to write: bytes, original length and timestamp.</summary>
internal sealed record TestFrame(byte[] Data, long Seconds, int Microseconds, int? WireLength = null);

/// <summary>Minimal classic-pcap and pcapng writers for reader tests (little-endian).</summary>
internal static class PcapFiles
{
    public static void WritePcap(string path, int linkType, IEnumerable<TestFrame> frames, int snapLength = 65535)
    {
        using var stream = File.Create(path);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)linkType);
        stream.Write(header);

        Span<byte> record = stackalloc byte[16];
        foreach (TestFrame frame in frames)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)frame.Seconds);
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)frame.Microseconds);
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)frame.Data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)(frame.WireLength ?? frame.Data.Length));
            stream.Write(record);
            stream.Write(frame.Data);
        }
    }

    /// <summary>Writes SHB + one IDB (microsecond resolution) + one EPB per frame.</summary>
    public static void WritePcapNg(string path, int linkType, IEnumerable<TestFrame> frames, int snapLength = 65535)
    {
        using var stream = File.Create(path);

        // Section header block with a shb_userappl option.
        byte[] app = Encoding.ASCII.GetBytes("P0fSharp.Capture.Tests");
        byte[] shbOptions = [.. Option(4, app), .. Option(0, [])];
        byte[] shbBody = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(shbBody, 0x1A2B3C4D);
        BinaryPrimitives.WriteUInt16LittleEndian(shbBody.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(shbBody.AsSpan(6), 0);
        BinaryPrimitives.WriteInt64LittleEndian(shbBody.AsSpan(8), -1);
        WriteBlock(stream, 0x0A0D0D0A, [.. shbBody, .. shbOptions]);

        // Interface description block.
        byte[] idbBody = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(idbBody, (ushort)linkType);
        BinaryPrimitives.WriteUInt32LittleEndian(idbBody.AsSpan(4), (uint)snapLength);
        byte[] idbOptions = [.. Option(9, [6]), .. Option(0, [])];
        WriteBlock(stream, 0x00000001, [.. idbBody, .. idbOptions]);

        foreach (TestFrame frame in frames)
        {
            ulong ts = ((ulong)frame.Seconds * 1_000_000UL) + (ulong)frame.Microseconds;
            byte[] epb = new byte[20];
            BinaryPrimitives.WriteUInt32LittleEndian(epb, 0);
            BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(4), (uint)(ts >> 32));
            BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(8), (uint)ts);
            BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(12), (uint)frame.Data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(16), (uint)(frame.WireLength ?? frame.Data.Length));
            WriteBlock(stream, 0x00000006, [.. epb, .. Pad(frame.Data)]);
        }
    }

    /// <summary>Reads every record of a classic little-endian pcap (for converting vectors).</summary>
    public static (int LinkType, List<TestFrame> Frames) ReadPcap(string path)
    {
        byte[] all = File.ReadAllBytes(path);
        if (BinaryPrimitives.ReadUInt32LittleEndian(all) != 0xA1B2C3D4)
        {
            throw new InvalidDataException("only little-endian microsecond pcap is supported here");
        }

        int linkType = (int)BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(20));
        var frames = new List<TestFrame>();
        int p = 24;
        while (p + 16 <= all.Length)
        {
            long sec = BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(p));
            int usec = (int)BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(p + 4));
            int caplen = (int)BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(p + 8));
            int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(p + 12));
            p += 16;
            frames.Add(new TestFrame(all.AsSpan(p, caplen).ToArray(), sec, usec, len));
            p += caplen;
        }

        return (linkType, frames);
    }

    private static byte[] Option(ushort code, byte[] value)
    {
        byte[] head = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(head, code);
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(2), (ushort)value.Length);
        return [.. head, .. Pad(value)];
    }

    private static byte[] Pad(byte[] data)
    {
        int padded = (data.Length + 3) & ~3;
        var b = new byte[padded];
        data.CopyTo(b, 0);
        return b;
    }

    private static void WriteBlock(Stream stream, uint type, byte[] body)
    {
        uint total = (uint)(12 + body.Length);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(word, type);
        stream.Write(word);
        BinaryPrimitives.WriteUInt32LittleEndian(word, total);
        stream.Write(word);
        stream.Write(body);
        stream.Write(word);
    }
}
