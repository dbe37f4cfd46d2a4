using System.Buffers.Binary;
using P0fSharp.Engine.Hosts;

namespace P0fSharp.Api;

/// <summary>
/// Writes the 232-byte p0f v3 answer (spec §7.2): a zeroed buffer, magic, status, then for
/// a known host the record fields in little-endian and six 32-byte strings with C
/// <c>strncpy(dst, src, 32)</c> semantics. Allocation-free.
/// </summary>
public static class ApiResponse
{
    private const int StatusOffset = 4;
    private const int FirstSeenOffset = 8;
    private const int LastSeenOffset = 12;
    private const int TotalConnectionsOffset = 16;
    private const int UptimeMinutesOffset = 20;
    private const int UptimeModuloDaysOffset = 24;
    private const int LastNatOffset = 28;
    private const int LastChangeOffset = 32;
    private const int DistanceOffset = 36;
    private const int BadSoftwareOffset = 38;
    private const int OsMatchQualityOffset = 39;
    private const int OsNameOffset = 40;
    private const int OsFlavorOffset = 72;
    private const int HttpNameOffset = 104;
    private const int HttpFlavorOffset = 136;
    private const int LinkTypeOffset = 168;
    private const int LanguageOffset = 200;

    /// <summary>
    /// An answer without a host record: magic, status and 224 zero bytes (what p0f sends for
    /// <see cref="ApiStatus.BadQuery"/> and <see cref="ApiStatus.NoMatch"/>).
    /// </summary>
    /// <param name="destination">At least <see cref="ApiProtocol.ResponseSize"/> bytes.</param>
    public static void Write(Span<byte> destination, ApiStatus status)
    {
        Span<byte> r = Prepare(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(r[StatusOffset..], (uint)status);
    }

    /// <summary>
    /// An answer carrying <paramref name="host"/> (normally with <see cref="ApiStatus.Ok"/>).
    /// Flavors are written only when the matching name is present; absent strings are zero.
    /// </summary>
    /// <param name="destination">At least <see cref="ApiProtocol.ResponseSize"/> bytes.</param>
    public static void Write(Span<byte> destination, ApiStatus status, in HostSnapshot host)
    {
        Span<byte> r = Prepare(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(r[StatusOffset..], (uint)status);
        BinaryPrimitives.WriteUInt32LittleEndian(r[FirstSeenOffset..], host.FirstSeen);
        BinaryPrimitives.WriteUInt32LittleEndian(r[LastSeenOffset..], host.LastSeen);
        BinaryPrimitives.WriteUInt32LittleEndian(r[TotalConnectionsOffset..], host.TotalConnections);
        BinaryPrimitives.WriteUInt32LittleEndian(r[UptimeMinutesOffset..], host.UptimeMinutes);
        BinaryPrimitives.WriteUInt32LittleEndian(r[UptimeModuloDaysOffset..], host.UptimeModuloDays);
        BinaryPrimitives.WriteUInt32LittleEndian(r[LastNatOffset..], host.LastNat);
        BinaryPrimitives.WriteUInt32LittleEndian(r[LastChangeOffset..], host.LastChange);
        BinaryPrimitives.WriteInt16LittleEndian(r[DistanceOffset..], host.Distance);
        r[BadSoftwareOffset] = host.BadSoftware;
        r[OsMatchQualityOffset] = host.OsMatchQuality;

        if (host.OsName is not null)
        {
            CopyString(r.Slice(OsNameOffset, ApiProtocol.StringFieldSize), host.OsName);
            CopyString(r.Slice(OsFlavorOffset, ApiProtocol.StringFieldSize), host.OsFlavor);
        }

        if (host.HttpName is not null)
        {
            CopyString(r.Slice(HttpNameOffset, ApiProtocol.StringFieldSize), host.HttpName);
            CopyString(r.Slice(HttpFlavorOffset, ApiProtocol.StringFieldSize), host.HttpFlavor);
        }

        CopyString(r.Slice(LinkTypeOffset, ApiProtocol.StringFieldSize), host.LinkType);
        CopyString(r.Slice(LanguageOffset, ApiProtocol.StringFieldSize), host.Language);
    }

    private static Span<byte> Prepare(Span<byte> destination)
    {
        if (destination.Length < ApiProtocol.ResponseSize)
        {
            throw new ArgumentException($"An answer needs {ApiProtocol.ResponseSize} bytes.", nameof(destination));
        }

        Span<byte> r = destination[..ApiProtocol.ResponseSize];
        r.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(r, ApiProtocol.ResponseMagic);
        return r;
    }

    /// <summary>
    /// <c>strncpy(field, text, 32)</c> into an already zeroed field: characters are Latin-1
    /// bytes (labels are read from p0f.fp byte for byte), copying stops at a NUL, and text of
    /// 32 characters or more fills the field completely with no terminator.
    /// </summary>
    private static void CopyString(Span<byte> field, string? text)
    {
        if (text is null)
        {
            return;
        }

        int n = Math.Min(text.Length, field.Length);
        for (int i = 0; i < n; i++)
        {
            char c = text[i];
            if (c == '\0')
            {
                return;
            }

            field[i] = c <= '\u00ff' ? (byte)c : (byte)'?';
        }
    }
}
