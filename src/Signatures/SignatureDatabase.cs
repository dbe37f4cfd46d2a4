using P0fSharp.Signatures.Database;
using P0fSharp.Signatures.Http;
using P0fSharp.Signatures.Mtu;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Signatures;

/// <summary>
/// A loaded p0f v3 fingerprint database (p0f.fp) and the matchers that use it. Immutable
/// after loading and safe to share between threads. Loading follows p0f 3.09b exactly,
/// including which files it rejects and with which message.
/// </summary>
public sealed class SignatureDatabase
{
    private readonly string[] _classes;
    private readonly string[] _names;
    private readonly TcpSignatureSet _tcpRequest;
    private readonly TcpSignatureSet _tcpResponse;
    private readonly MtuSignature[] _mtu;
    private readonly Dictionary<int, string> _mtuLinks = [];
    private readonly HttpSignature[] _httpRequest;
    private readonly HttpSignature[] _httpResponse;

    internal SignatureDatabase(
        string fileName,
        int signatureCount,
        string[] classes,
        string[] names,
        SignatureLabel[] labels,
        TcpSignatureSet tcpRequest,
        TcpSignatureSet tcpResponse,
        MtuSignature[] mtu,
        HttpHeaderTable httpHeaders,
        HttpSignature[] httpRequest,
        HttpSignature[] httpResponse,
        UaOsEntry[] uaOs)
    {
        FileName = fileName;
        SignatureCount = signatureCount;
        _classes = classes;
        _names = names;
        Labels = labels;
        _tcpRequest = tcpRequest;
        _tcpResponse = tcpResponse;
        _mtu = mtu;
        HttpHeaders = httpHeaders;
        _httpRequest = httpRequest;
        _httpResponse = httpResponse;
        UaOs = uaOs;

        // Several entries may share a value; p0f reports the first one.
        foreach (MtuSignature sig in mtu)
        {
            _mtuLinks.TryAdd(sig.Mtu, sig.Link);
        }
    }

    /// <summary>The name the database was loaded under (as used in messages).</summary>
    public string FileName { get; }

    /// <summary>Accepted <c>sig</c> lines of all sections (MTU included); 322 for the stock file.</summary>
    public int SignatureCount { get; }

    /// <summary>Declared OS classes; a label's ClassId indexes this list.</summary>
    public IReadOnlyList<string> Classes => _classes;

    /// <summary>The shared OS/application name table; NameIds index this list.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>All TCP and HTTP labels in file order.</summary>
    public IReadOnlyList<SignatureLabel> Labels { get; }

    public IReadOnlyList<TcpSignature> TcpRequestSignatures => _tcpRequest.All;

    public IReadOnlyList<TcpSignature> TcpResponseSignatures => _tcpResponse.All;

    public IReadOnlyList<MtuSignature> MtuSignatures => _mtu;

    public IReadOnlyList<HttpSignature> HttpRequestSignatures => _httpRequest;

    public IReadOnlyList<HttpSignature> HttpResponseSignatures => _httpResponse;

    /// <summary>Known HTTP header names for this database (built-ins plus those its signatures name).</summary>
    public HttpHeaderTable HttpHeaders { get; }

    /// <summary>User-Agent to OS hints (<c>ua_os</c>), in file order.</summary>
    public IReadOnlyList<UaOsEntry> UaOs { get; }

    /// <summary>
    /// Reads and parses a database file. Throws <see cref="SignatureDatabaseException"/> with
    /// p0f's message when the file cannot be read or p0f would reject it. An empty file gives
    /// an empty database (p0f only warns).
    /// </summary>
    public static SignatureDatabase Load(string path)
    {
        byte[] content;
        try
        {
            // open() succeeds on a directory; it is the read() that then fails.
            if (Directory.Exists(path))
            {
                throw new SignatureDatabaseException(path, 0, $"Short read from '{path}'.");
            }

            content = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SignatureDatabaseException(path, 0, $"Cannot open '{path}' for reading.", isSystemError: true, osMessage: OsMessage(ex), innerException: ex);
        }

        return Parse(content, path);
    }

    /// <summary>Parses database content; <paramref name="fileName"/> only appears in errors.</summary>
    public static SignatureDatabase Parse(ReadOnlySpan<byte> content, string fileName)
        => DatabaseParser.Parse(content, fileName);

    /// <summary>Class name for a class id; <c>!</c> for -1 (applications).</summary>
    public string GetClassName(int classId) => classId == -1 ? "!" : _classes[classId];

    public string GetName(int nameId) => _names[nameId];

    /// <summary>
    /// Matches a SYN (against <c>[tcp:request]</c>) or SYN+ACK (against <c>[tcp:response]</c>).
    /// <paramref name="synMss"/> is the MSS of the flow's SYN when matching a SYN+ACK, else 0.
    /// Does not allocate.
    /// </summary>
    public TcpMatchResult MatchTcp(in TcpFingerprint fp, bool synAck, ushort synMss)
    {
        TcpSignatureSet set = synAck ? _tcpResponse : _tcpRequest;
        var probe = new TcpProbe(fp);
        return TcpMatcher.Match(set.WithLayout(fp.Layout), probe, synMss);
    }

    /// <summary>Link type for an MTU (first <c>[mtu]</c> entry with that value), or null.</summary>
    public string? FindMtuLink(int mtu) => _mtuLinks.TryGetValue(mtu, out string? link) ? link : null;

    /// <summary>Matches an HTTP request (<paramref name="response"/> false) or response.</summary>
    public HttpMatchResult MatchHttp(HttpObservation observation, bool response)
        => HttpMatcher.Match(response ? _httpResponse : _httpRequest, observation);

    /// <summary>strerror() text for the usual failures, else the runtime's message.</summary>
    private static string OsMessage(Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException or ArgumentException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        PathTooLongException => "File name too long",
        _ => ex.Message,
    };
}
