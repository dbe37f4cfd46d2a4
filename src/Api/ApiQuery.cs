using System.Buffers.Binary;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Api;

/// <summary>Why a query was answered with <see cref="ApiStatus.BadQuery"/>.</summary>
public enum ApiQueryError
{
    None = 0,

    /// <summary>The first four bytes are not 0x50304601 (little-endian).</summary>
    BadMagic,

    /// <summary>The address type is neither 4 nor 6.</summary>
    UnknownAddressType,
}

/// <summary>
/// A decoded 21-byte p0f v3 query: magic (u32, host order), address type (u8), 16 address
/// bytes in network order of which IPv4 uses the first four and ignores the rest.
/// </summary>
public readonly struct ApiQuery
{
    public ApiQuery(uint magic, byte addressType, HostAddress address)
    {
        Magic = magic;
        AddressType = addressType;
        Address = address;
    }

    /// <summary>The magic as read (little-endian).</summary>
    public uint Magic { get; }

    /// <summary>The address type byte as read.</summary>
    public byte AddressType { get; }

    /// <summary>The address to look up; default when the query is bad.</summary>
    public HostAddress Address { get; }

    /// <summary>
    /// Decodes a query. Magic is checked before the address type, as p0f does. On failure
    /// <paramref name="query"/> still carries the magic and type for the warning text.
    /// </summary>
    /// <param name="data">Exactly <see cref="ApiProtocol.QuerySize"/> bytes.</param>
    /// <exception cref="ArgumentException">The span is not 21 bytes long.</exception>
    public static bool TryParse(ReadOnlySpan<byte> data, out ApiQuery query, out ApiQueryError error)
    {
        if (data.Length != ApiProtocol.QuerySize)
        {
            throw new ArgumentException($"A query is exactly {ApiProtocol.QuerySize} bytes.", nameof(data));
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(data);
        byte type = data[4];
        if (magic != ApiProtocol.QueryMagic)
        {
            query = new ApiQuery(magic, type, default);
            error = ApiQueryError.BadMagic;
            return false;
        }

        switch (type)
        {
            case ApiProtocol.AddressTypeIPv4:
                query = new ApiQuery(magic, type, HostAddress.FromIPv4(data.Slice(5, 4)));
                break;
            case ApiProtocol.AddressTypeIPv6:
                query = new ApiQuery(magic, type, HostAddress.FromIPv6(data.Slice(5, 16)));
                break;
            default:
                query = new ApiQuery(magic, type, default);
                error = ApiQueryError.UnknownAddressType;
                return false;
        }

        error = ApiQueryError.None;
        return true;
    }
}
