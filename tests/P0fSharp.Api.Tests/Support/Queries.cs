using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace P0fSharp.Api.Tests.Support;

/// <summary>Builds raw 21-byte queries and reads answers the way a C client would.</summary>
internal static class Queries
{
    public static byte[] Raw(uint magic, byte type, ReadOnlySpan<byte> address)
    {
        byte[] q = new byte[ApiProtocol.QuerySize];
        BinaryPrimitives.WriteUInt32LittleEndian(q, magic);
        q[4] = type;
        address.CopyTo(q.AsSpan(5));
        return q;
    }

    public static byte[] For(string address)
    {
        IPAddress ip = IPAddress.Parse(address);
        byte[] bytes = ip.GetAddressBytes();
        return Raw(ApiProtocol.QueryMagic, bytes.Length == 4 ? (byte)4 : (byte)6, bytes);
    }

    public static uint Magic(byte[] response) => BinaryPrimitives.ReadUInt32LittleEndian(response);

    public static ApiStatus Status(byte[] response) => (ApiStatus)BinaryPrimitives.ReadUInt32LittleEndian(response.AsSpan(4));

    public static uint U32(byte[] response, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(response.AsSpan(offset));

    /// <summary>Parses "0000: 02 46 ..." hex-dump lines into bytes.</summary>
    public static byte[] FromDump(string dump)
    {
        var bytes = new List<byte>();
        foreach (string line in dump.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string data = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..];
            foreach (string hex in data.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                bytes.Add(byte.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }

        return [.. bytes];
    }

    public static string Hex(byte[] data) => Convert.ToHexString(data).ToLowerInvariant();
}
