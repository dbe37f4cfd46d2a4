using P0fSharp.Signatures.Http;

namespace P0fSharp.Engine.Http;

/// <summary>What one parser run decided.</summary>
internal enum HttpParseOutcome
{
    /// <summary>Keep the flow (waiting for more data, or request done and waiting for the response).</summary>
    Keep,

    /// <summary>HTTP lost interest: the engine ends the flow.</summary>
    Drop,

    /// <summary>The request header block is complete: fingerprint it, then keep the flow.</summary>
    RequestComplete,

    /// <summary>The response header block is complete: fingerprint it, then end the flow.</summary>
    ResponseComplete,
}

/// <summary>
/// p0f 3.09b's HTTP stream logic (process_http / parse_pairs), including its quirks: only
/// <c>GET /</c> and <c>HEAD /</c> requests, the absolute 1024-byte first-line limit, the
/// status-line step re-run on every response segment, one skipped blank after the colon.
/// </summary>
internal static class HttpStreamParser
{
    /// <summary>HTTP_MAX_URL: the first-line scan stops at this absolute offset.</summary>
    public const int MaxUrl = 1024;

    /// <summary>HTTP_MAX_HDR_NAME.</summary>
    public const int MaxHeaderName = 32;

    /// <summary>HTTP_MAX_HDR_VAL (raw value, a trailing CR included).</summary>
    public const int MaxHeaderValue = 1024;

    private const int MinRequest = 15;
    private const int MinRequestLine = 14;
    private const int MinResponse = 13;

    /// <summary>
    /// Runs after new data arrived in one direction. <paramref name="headers"/> resolves header
    /// names to known-header ids (case-sensitive).
    /// </summary>
    public static HttpParseOutcome Run(HttpFlowState state, bool toServer, HttpHeaderTable headers)
    {
        if (state.InHttp < 0)
        {
            return HttpParseOutcome.Drop;
        }

        return toServer ? RunRequest(state, headers) : RunResponse(state, headers);
    }

    private static HttpParseOutcome RunRequest(HttpFlowState state, HttpHeaderTable headers)
    {
        if (state.RequestDone)
        {
            return HttpParseOutcome.Keep;
        }

        int length = state.RequestLength;
        bool canGetMore = length < HttpFlowState.MaxFlowData;
        ReadOnlySpan<byte> data = state.Request.AsSpan(0, length);

        if (state.InHttp == 0)
        {
            if (length < MinRequest)
            {
                return Wait(state, canGetMore);
            }

            int off = state.Position;
            if (off == 0 && !data.StartsWith("GET /"u8) && !data.StartsWith("HEAD /"u8))
            {
                return Drop(state);
            }

            if (!ScanLine(data, ref off))
            {
                return Drop(state);
            }

            if (off == MaxUrl || off < MinRequestLine)
            {
                return Drop(state);
            }

            if (off == length)
            {
                state.Position = off;
                return Wait(state, canGetMore);
            }

            int sigAt = off - 8;
            if (data[off - 1] == '\r')
            {
                sigAt--;
            }

            if (!data[sigAt..].StartsWith("HTTP/1."u8))
            {
                return Drop(state);
            }

            state.Message.Version = data[sigAt + 7] == '1' ? 1 : 0;
            state.InHttp = 1;
            state.Recognised = true;
            state.Position = off + 1;
        }

        return ParseHeaders(state, data, true, canGetMore, headers);
    }

    private static HttpParseOutcome RunResponse(HttpFlowState state, HttpHeaderTable headers)
    {
        // A server speaking first (or before the request is complete) is not HTTP as p0f sees it.
        if (state.InHttp == 0 || !state.RequestDone)
        {
            return Drop(state);
        }

        int length = state.ResponseLength;
        bool canGetMore = length < HttpFlowState.MaxFlowData;
        ReadOnlySpan<byte> data = state.Response.AsSpan(0, length);

        // p0f never records that the status line was seen, so this step runs on every
        // response segment and skips whatever line the parse position is on.
        if (length < MinResponse)
        {
            return Wait(state, canGetMore);
        }

        int off = state.Position;
        if (!ScanLine(data, ref off))
        {
            return Drop(state);
        }

        if (off == MaxUrl || off < MinResponse)
        {
            return Drop(state);
        }

        if (off == length)
        {
            state.Position = off;
            return Wait(state, canGetMore);
        }

        if (!data.StartsWith("HTTP/1."u8))
        {
            return Drop(state);
        }

        state.Message.Version = data[7] == '1' ? 1 : 0;
        state.Position = off + 1;
        return ParseHeaders(state, data, false, canGetMore, headers);
    }

    /// <summary>
    /// Advances <paramref name="off"/> to the next LF, the end of data or the absolute offset
    /// <see cref="MaxUrl"/>; false on a byte outside 0x20..0x7F other than CR.
    /// </summary>
    private static bool ScanLine(ReadOnlySpan<byte> data, ref int off)
    {
        while (off < data.Length && off < MaxUrl)
        {
            byte c = data[off];
            if (c == '\n')
            {
                break;
            }

            if (c != '\r' && (c < 0x20 || c > 0x7F))
            {
                return false;
            }

            off++;
        }

        return true;
    }

    private static HttpParseOutcome ParseHeaders(HttpFlowState state, ReadOnlySpan<byte> data, bool request, bool canGetMore, HttpHeaderTable headers)
    {
        var message = state.Message;
        int length = data.Length;
        int off;
        while ((off = state.Position) < length)
        {
            byte first = data[off];
            if (first == '\r' || first == '\n')
            {
                return request ? HttpParseOutcome.RequestComplete : HttpParseOutcome.ResponseComplete;
            }

            if (message.Count == HttpMessage.MaxHeaders)
            {
                return Drop(state);
            }

            int nameLength = 0;
            while (off + nameLength < length && IsHeaderNameChar(data[off + nameLength]))
            {
                nameLength++;
            }

            if (off + nameLength == length)
            {
                return Wait(state, canGetMore);
            }

            if (nameLength == 0 || data[off + nameLength] != ':' || nameLength > MaxHeaderName)
            {
                return Drop(state);
            }

            int valueStart = off + nameLength + 1;
            if (valueStart < length && (data[valueStart] == ' ' || data[valueStart] == '\t'))
            {
                valueStart++;
            }

            int lineEnd = data[valueStart..].IndexOf((byte)'\n');
            if (lineEnd < 0)
            {
                return Wait(state, canGetMore);
            }

            int rawLength = lineEnd;
            if (rawLength > MaxHeaderValue)
            {
                // p0f gives up on HTTP here but (quirk) keeps the flow until more data arrives.
                state.InHttp = -1;
                return canGetMore ? HttpParseOutcome.Keep : HttpParseOutcome.Drop;
            }

            int valueLength = rawLength > 0 && data[valueStart + rawLength - 1] == '\r' ? rawLength - 1 : rawLength;
            var name = data.Slice(off, nameLength);
            int id = headers.Find(name);

            ref var slot = ref message.Headers[message.Count];
            slot.Id = id;
            slot.NameStart = off;
            slot.NameLength = nameLength;
            slot.ValueStart = valueStart;
            slot.ValueLength = valueLength;

            if (valueLength > 0)
            {
                NoteSpecialHeader(message, request, id, data.Slice(valueStart, valueLength));
            }

            message.Count++;
            state.Position = valueStart + rawLength + 1;
        }

        return Wait(state, canGetMore);
    }

    /// <summary>Headers p0f extracts while parsing; a later occurrence overrides an earlier one.</summary>
    private static void NoteSpecialHeader(HttpMessage message, bool request, int id, ReadOnlySpan<byte> value)
    {
        switch (id)
        {
            case HttpHeaderTable.Via:
            case HttpHeaderTable.XForwardedFor:
                message.Via = true;
                break;
            case HttpHeaderTable.UserAgent when request:
            case HttpHeaderTable.Server when !request:
                message.Software = message.Count;
                break;
            case HttpHeaderTable.AcceptLanguage when request:
                message.Language = message.Count;
                break;
            case HttpHeaderTable.Date when !request:
                message.Date = HttpDate.Parse(value);
                break;
        }
    }

    /// <summary>C isalnum (C locale), '-' or '_'.</summary>
    private static bool IsHeaderNameChar(byte c) =>
        (uint)(c - '0') <= 9 || (uint)((c | 0x20) - 'a') <= 'z' - 'a' || c == '-' || c == '_';

    /// <summary>Out of data: wait for more, or give up when the buffer is full.</summary>
    private static HttpParseOutcome Wait(HttpFlowState state, bool canGetMore)
    {
        if (canGetMore)
        {
            return HttpParseOutcome.Keep;
        }

        state.InHttp = -1;
        return HttpParseOutcome.Drop;
    }

    private static HttpParseOutcome Drop(HttpFlowState state)
    {
        state.InHttp = -1;
        return HttpParseOutcome.Drop;
    }
}
