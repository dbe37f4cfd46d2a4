using P0fSharp.Signatures.Database;

namespace P0fSharp.Signatures.Http;

/// <summary>
/// Parses HTTP <c>sig</c> values (<c>ver:horder:habsent:expsw</c>) and <c>ua_os</c> lists,
/// following p0f's http_register_sig / http_parse_ua.
/// </summary>
internal static class HttpSignatureParser
{
    /// <summary>HTTP_MAX_HDRS: most entries in horder or in habsent.</summary>
    private const int MaxHeaders = 32;

    public static HttpSignature Parse(in LineText line, int p, int lineNo, SignatureLabel label, bool isResponse, HttpHeaderTable table)
    {
        if (line.At(p + 1) != ':')
        {
            throw Malformed(lineNo);
        }

        int version = line.At(p) switch
        {
            (byte)'0' => 0,
            (byte)'1' => 1,
            (byte)'*' => -1,
            _ => throw ParseFailure.InLine("Bad HTTP version", lineNo),
        };

        p += 2;

        var headers = new List<HttpSignatureHeader>();
        while (line.At(p) != ':')
        {
            if (headers.Count >= MaxHeaders)
            {
                throw ParseFailure.InLine("Too many headers listed", lineNo);
            }

            bool optional = false;
            if (line.At(p) == '?')
            {
                optional = true;
                p++;
            }

            int n = SkipHeaderName(line, p);
            if (n == p)
            {
                throw ParseFailure.InLine("Malformed header name", lineNo);
            }

            string name = line.Text(p, n);
            int id = table.Register(name);
            p = n;

            string? value = BracketedValue(line, ref p, lineNo);
            headers.Add(new HttpSignatureHeader(id, name, optional, value));

            if (line.At(p) == ',')
            {
                p++;
            }
            else if (line.At(p) != ':')
            {
                throw Malformed(lineNo);
            }
        }

        p++;

        var absent = new List<int>();
        var absentNames = new List<string>();
        while (line.At(p) != ':')
        {
            if (absent.Count >= MaxHeaders)
            {
                throw ParseFailure.InLine("Too many headers listed", lineNo);
            }

            int n = SkipHeaderName(line, p);
            if (n == p)
            {
                throw ParseFailure.InLine("Malformed header name", lineNo);
            }

            string name = line.Text(p, n);
            absent.Add(table.Register(name));
            absentNames.Add(name);
            p = n;

            if (line.At(p) == ',')
            {
                p++;
            }
            else if (line.At(p) != ':')
            {
                throw Malformed(lineNo);
            }
        }

        p++;

        string? software = null;
        if (p < line.Length)
        {
            if (line.Bytes[p..].Contains((byte)':'))
            {
                throw Malformed(lineNo);
            }

            software = line.Rest(p);
        }

        return new HttpSignature(label, lineNo, isResponse, version, headers, absent, absentNames, software);
    }

    /// <summary>
    /// Parses a <c>ua_os</c> value: <c>Name</c> or <c>Name=[search string]</c> entries separated
    /// by commas. Names are interned in the shared name table.
    /// </summary>
    public static void ParseUaOs(in LineText line, int p, int lineNo, NameTable names, List<UaOsEntry> into)
    {
        while (line.At(p) != 0)
        {
            int n = p;
            while (CText.IsNameChar(line.At(n)))
            {
                n++;
            }

            if (n == p)
            {
                throw ParseFailure.InLine("Malformed system name", lineNo);
            }

            // p0f passes the length as a u8, so names of 256+ bytes wrap around.
            int id = names.LookupOrAdd(line.Text(p, p + ((n - p) & 0xFF)));
            p = n;

            string? alias = BracketedValue(line, ref p, lineNo);
            string name = names.Names[id];
            into.Add(new UaOsEntry(id, name, alias ?? name));

            if (line.At(p) == ',')
            {
                p++;
            }
        }
    }

    private static int SkipHeaderName(in LineText line, int p)
    {
        while (CText.IsHeaderChar(line.At(p)))
        {
            p++;
        }

        return p;
    }

    /// <summary>An optional <c>=[text]</c> at <paramref name="p"/> (a header value, a ua_os alias); p moves past it.</summary>
    private static string? BracketedValue(in LineText line, ref int p, int lineNo)
    {
        if (line.At(p) != '=')
        {
            return null;
        }

        if (line.At(p + 1) != '[')
        {
            throw ParseFailure.InLine("Missing '[' after '='", lineNo);
        }

        int start = p + 2;
        int end = start;
        while (line.At(end) != 0 && line.At(end) != ']')
        {
            end++;
        }

        if (end == start || line.At(end) == 0)
        {
            throw Malformed(lineNo);
        }

        p = end + 1;
        return line.Text(start, end);
    }

    private static ParseFailure Malformed(int lineNo) => ParseFailure.InLine("Malformed signature", lineNo);
}
