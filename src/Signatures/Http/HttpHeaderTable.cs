namespace P0fSharp.Signatures.Http;

/// <summary>
/// p0f's table of "known" HTTP header names. Names are case-sensitive (<c>user-agent</c> is
/// not <c>User-Agent</c>). Ids are stable per database: the built-in headers come first in
/// p0f's registration order, then every header named by an HTTP signature, in file order.
/// Whether a header is known changes how its value is printed in <c>raw_sig</c>, and only
/// known headers can ever match a signature.
/// </summary>
public sealed class HttpHeaderTable
{
    public const int UserAgent = 0;
    public const int Server = 1;
    public const int AcceptLanguage = 2;
    public const int Via = 3;
    public const int XForwardedFor = 4;
    public const int Date = 5;

    private readonly List<string> _names = [];
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;
    private int _maxNameLength;

    internal HttpHeaderTable()
    {
        _spanLookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

        // Same order as p0f's start-up registration, so that ids agree with p0f's.
        foreach (string name in (ReadOnlySpan<string>)["User-Agent", "Server", "Accept-Language", "Via", "X-Forwarded-For", "Date"])
        {
            Register(name);
        }

        string[] requestOptional =
        [
            "Cookie", "Referer", "Origin", "Range", "If-Modified-Since", "If-None-Match", "Via",
            "X-Forwarded-For", "Authorization", "Proxy-Authorization", "Cache-Control",
        ];
        string[] responseOptional =
        [
            "Set-Cookie", "Last-Modified", "ETag", "Content-Length", "Content-Disposition",
            "Cache-Control", "Expires", "Pragma", "Location", "Refresh", "Content-Range", "Vary",
        ];
        string[] requestSkipValue = ["Host", "User-Agent"];
        string[] responseSkipValue = ["Date", "Content-Type", "Server"];
        string[] requestCommon =
        [
            "Host", "User-Agent", "Connection", "Accept", "Accept-Encoding", "Accept-Language",
            "Accept-Charset", "Keep-Alive",
        ];
        string[] responseCommon = ["Content-Type", "Connection", "Keep-Alive", "Accept-Ranges", "Date"];

        int[] reqOpt = RegisterAll(requestOptional);
        int[] respOpt = RegisterAll(responseOptional);
        int[] reqSkip = RegisterAll(requestSkipValue);
        int[] respSkip = RegisterAll(responseSkipValue);
        int[] reqCommon = RegisterAll(requestCommon);
        int[] respCommon = RegisterAll(responseCommon);

        Request = new HttpHeaderLists(reqOpt, reqCommon, reqSkip);
        Response = new HttpHeaderLists(respOpt, respCommon, respSkip);
    }

    /// <summary>Number of known headers (valid ids are 0..Count-1).</summary>
    public int Count => _names.Count;

    /// <summary>Header lists that shape request <c>raw_sig</c>s.</summary>
    public HttpHeaderLists Request { get; }

    /// <summary>Header lists that shape response <c>raw_sig</c>s.</summary>
    public HttpHeaderLists Response { get; }

    /// <summary>Lists for one direction.</summary>
    public HttpHeaderLists For(bool response) => response ? Response : Request;

    public string GetName(int id) => _names[id];

    /// <summary>Id of a known header (exact, case-sensitive), or -1. Does not allocate.</summary>
    public int Find(ReadOnlySpan<char> name) => _spanLookup.TryGetValue(name, out int id) ? id : -1;

    /// <summary>
    /// Same as <see cref="Find(ReadOnlySpan{char})"/> for raw bytes from the wire, taken as
    /// Latin-1. Does not allocate.
    /// </summary>
    public int Find(ReadOnlySpan<byte> name)
    {
        if (name.Length > _maxNameLength)
        {
            return -1;
        }

        Span<char> chars = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            chars[i] = (char)name[i];
        }

        return Find(chars);
    }

    /// <summary>Looks a name up, registering it when new (signature parsing only).</summary>
    internal int Register(string name)
    {
        if (_ids.TryGetValue(name, out int id))
        {
            return id;
        }

        id = _names.Count;
        _names.Add(name);
        _ids.Add(name, id);
        _maxNameLength = Math.Max(_maxNameLength, name.Length);
        return id;
    }

    private int[] RegisterAll(string[] names)
    {
        var ids = new int[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            ids[i] = Register(names[i]);
        }

        return ids;
    }
}
