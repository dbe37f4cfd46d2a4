using System.Globalization;
using System.Text;

namespace P0fSharp.Signatures.Http;

/// <summary>One header of a signature's ordered list (<c>horder</c>).</summary>
public sealed class HttpSignatureHeader
{
    internal HttpSignatureHeader(int id, string name, bool optional, string? value)
    {
        Id = id;
        Name = name;
        Optional = optional;
        Value = value;
    }

    /// <summary>Id in <see cref="HttpHeaderTable"/>.</summary>
    public int Id { get; }

    public string Name { get; }

    /// <summary><c>?Name</c>: may be missing, but if present must be in order.</summary>
    public bool Optional { get; }

    /// <summary><c>Name=[value]</c>: the observed value must contain this (case-sensitive).</summary>
    public string? Value { get; }
}

/// <summary>One <c>sig</c> line of an <c>[http:request]</c> / <c>[http:response]</c> section.</summary>
public sealed class HttpSignature
{
    internal HttpSignature(
        SignatureLabel label,
        int line,
        bool isResponse,
        int version,
        IReadOnlyList<HttpSignatureHeader> headers,
        IReadOnlyList<int> absent,
        IReadOnlyList<string> absentNames,
        string? expectedSoftware)
    {
        Label = label;
        Line = line;
        IsResponse = isResponse;
        Version = version;
        Headers = headers;
        Absent = absent;
        AbsentNames = absentNames;
        ExpectedSoftware = expectedSoftware;
    }

    public SignatureLabel Label { get; }

    public int Line { get; }

    public bool IsResponse { get; }

    /// <summary>0 (HTTP/1.0), 1 (HTTP/1.1) or -1 (<c>*</c>).</summary>
    public int Version { get; }

    /// <summary>Headers that must appear in this relative order (extra ones in between are fine).</summary>
    public IReadOnlyList<HttpSignatureHeader> Headers { get; }

    /// <summary>Ids of headers that must not appear at all (<c>habsent</c>).</summary>
    public IReadOnlyList<int> Absent { get; }

    public IReadOnlyList<string> AbsentNames { get; }

    /// <summary>
    /// Expected substring of User-Agent / Server; when the observed one lacks it the match is
    /// reported <c>dishonest</c>. Null when the field is empty.
    /// </summary>
    public string? ExpectedSoftware { get; }

    /// <summary>The signature in database syntax.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Version == -1 ? "*" : Version.ToString(CultureInfo.InvariantCulture)).Append(':');
        for (int i = 0; i < Headers.Count; i++)
        {
            HttpSignatureHeader h = Headers[i];
            if (i > 0)
            {
                sb.Append(',');
            }

            if (h.Optional)
            {
                sb.Append('?');
            }

            sb.Append(h.Name);
            if (h.Value is not null)
            {
                sb.Append("=[").Append(h.Value).Append(']');
            }
        }

        sb.Append(':').AppendJoin(',', AbsentNames).Append(':').Append(ExpectedSoftware);
        return sb.ToString();
    }
}
