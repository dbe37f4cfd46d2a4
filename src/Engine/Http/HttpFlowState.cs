namespace P0fSharp.Engine.Http;

/// <summary>One parsed header line: offsets into the direction's buffer.</summary>
internal struct HttpHeaderSlot
{
    /// <summary>Known-header id at parse time (-1 unknown); only the built-in ids are relied on.</summary>
    public int Id;
    public int NameStart;
    public int NameLength;
    public int ValueStart;

    /// <summary>Value length without the line end; 0 means "no value" (p0f stores nothing).</summary>
    public int ValueLength;
}

/// <summary>
/// p0f's temporary signature (<c>http_tmp</c>) for the request or response being parsed. Header
/// names and values are not copied: they stay in the append-only direction buffer.
/// </summary>
internal sealed class HttpMessage
{
    public const int MaxHeaders = 32;

    public readonly HttpHeaderSlot[] Headers = new HttpHeaderSlot[MaxHeaders];

    /// <summary>1 for HTTP/1.1, else 0.</summary>
    public int Version;
    public int Count;

    /// <summary>Slot holding the software string (User-Agent / Server), or -1.</summary>
    public int Software;

    /// <summary>Slot holding the language string (Accept-Language), or -1.</summary>
    public int Language;

    /// <summary>A non-empty Via or X-Forwarded-For was seen.</summary>
    public bool Via;

    /// <summary>Parsed response Date (0 if none or unparseable).</summary>
    public uint Date;

    public HttpMessage() => Clear();

    public void Clear()
    {
        Version = 0;
        Count = 0;
        Software = -1;
        Language = -1;
        Via = false;
        Date = 0;
    }
}

/// <summary>
/// Per-flow HTTP state: the two direction buffers (at most <see cref="MaxFlowData"/> bytes each,
/// rented lazily) and p0f's parser state (<c>in_http</c>, <c>http_req_done</c>, <c>http_pos</c>,
/// <c>http_tmp</c>).
/// </summary>
internal sealed class HttpFlowState
{
    /// <summary>MAX_FLOW_DATA: per-direction buffer cap.</summary>
    public const int MaxFlowData = 8192;

    public byte[]? Request;
    public int RequestLength;
    public byte[]? Response;
    public int ResponseLength;

    /// <summary>p0f's in_http: 0 undecided, 1 HTTP, -1 not interested.</summary>
    public sbyte InHttp;
    public bool RequestDone;

    /// <summary>The request line was accepted and no header block has been fingerprinted since (for counting give-ups).</summary>
    public bool Recognised;

    /// <summary>Parse position in the current direction's buffer (absolute offset).</summary>
    public int Position;

    public readonly HttpMessage Message = new();

    public void Reset()
    {
        Request = null;
        Response = null;
        RequestLength = 0;
        ResponseLength = 0;
        InHttp = 0;
        RequestDone = false;
        Recognised = false;
        Position = 0;
        Message.Clear();
    }
}
