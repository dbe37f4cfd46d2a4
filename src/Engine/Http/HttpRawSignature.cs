using P0fSharp.Signatures.Http;

namespace P0fSharp.Engine.Http;

/// <summary>
/// p0f's HTTP <c>raw_sig</c>: <c>ver:headers:absent:software</c>, written straight from the
/// buffered header bytes.
/// </summary>
internal static class HttpRawSignature
{
    /// <summary>HTTP_MAX_SHOW: printed values are cut at this many bytes.</summary>
    public const int MaxShown = 200;

    /// <summary>
    /// Upper bound of the text length: version, 32 headers of at most 32-byte names with a
    /// 200-byte value, every common header name, and the software string.
    /// </summary>
    public const int MaxLength = 2 + (HttpMessage.MaxHeaders * (MaxShown + 256 + 5)) + 1024 + MaxShown + 2;

    /// <summary>
    /// Writes the signature. <paramref name="ids"/> are the known-header ids of the message's
    /// headers for the database in use (-1 for unknown names).
    /// </summary>
    public static int Write(
        Span<char> destination,
        ReadOnlySpan<byte> data,
        HttpMessage message,
        ReadOnlySpan<int> ids,
        HttpHeaderTable table,
        HttpHeaderLists lists)
    {
        int w = 0;
        destination[w++] = message.Version == 1 ? '1' : '0';
        destination[w++] = ':';

        for (int i = 0; i < message.Count; i++)
        {
            ref readonly var slot = ref message.Headers[i];
            if (i > 0)
            {
                destination[w++] = ',';
            }

            int id = ids[i];
            var value = data.Slice(slot.ValueStart, slot.ValueLength);
            if (id >= 0)
            {
                bool optional = lists.IsOptional(id);
                if (optional)
                {
                    destination[w++] = '?';
                }

                string name = table.GetName(id);
                name.CopyTo(destination[w..]);
                w += name.Length;
                if (value.IsEmpty || optional || lists.IsSkipValue(id))
                {
                    continue;
                }

                w += AppendValue(destination[w..], value, allowPipe: false);
            }
            else
            {
                w += CopyLatin1(destination[w..], data.Slice(slot.NameStart, slot.NameLength));
                if (!value.IsEmpty)
                {
                    w += AppendValue(destination[w..], value, allowPipe: true);
                }
            }
        }

        destination[w++] = ':';
        bool previous = false;
        foreach (int common in lists.Common)
        {
            if (ids[..message.Count].Contains(common))
            {
                continue;
            }

            if (previous)
            {
                destination[w++] = ',';
            }

            string name = table.GetName(common);
            name.CopyTo(destination[w..]);
            w += name.Length;
            previous = true;
        }

        destination[w++] = ':';
        if (message.Software >= 0)
        {
            ref readonly var sw = ref message.Headers[message.Software];
            var text = data.Slice(sw.ValueStart, sw.ValueLength);
            int n = CleanLength(text, allowPipe: true);
            w += CopyLatin1(destination[w..], text[..n]);
        }

        return w;
    }

    /// <summary>
    /// How many leading bytes p0f prints: it copies while the byte is in 0x20..0x7F and is not
    /// <c>]</c> (nor <c>|</c> unless allowed), at most <see cref="MaxShown"/>, and stops at the
    /// first other byte.
    /// </summary>
    public static int CleanLength(ReadOnlySpan<byte> value, bool allowPipe)
    {
        int n = 0;
        while (n < value.Length && n < MaxShown)
        {
            byte c = value[n];
            if (c < 0x20 || c > 0x7F || c == ']' || (c == '|' && !allowPipe))
            {
                break;
            }

            n++;
        }

        return n;
    }

    /// <summary><c>=[cleaned value]</c>, or nothing when the cleaned value is empty.</summary>
    private static int AppendValue(Span<char> destination, ReadOnlySpan<byte> value, bool allowPipe)
    {
        int n = CleanLength(value, allowPipe);
        if (n == 0)
        {
            return 0;
        }

        destination[0] = '=';
        destination[1] = '[';
        CopyLatin1(destination[2..], value[..n]);
        destination[2 + n] = ']';
        return n + 3;
    }

    private static int CopyLatin1(Span<char> destination, ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            destination[i] = (char)bytes[i];
        }

        return bytes.Length;
    }
}
