using System.Text;
using P0fSharp.Engine.Http;
using P0fSharp.Engine.Tests.Support;
using P0fSharp.Signatures.Http;
using Xunit;

namespace P0fSharp.Engine.Tests;

/// <summary>The stream parser and raw_sig writer on their own (no engine, no matching).</summary>
public sealed class HttpParserTests
{
    private static HttpHeaderTable Table => TestPaths.StockDatabase.HttpHeaders;

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "RequestComplete")]
    [InlineData("HEAD /x HTTP/1.0\n\n", "RequestComplete")]
    [InlineData("POST / HTTP/1.1\r\n\r\n", "Drop")]
    [InlineData("get / HTTP/1.1\r\n\r\n", "Drop")]
    [InlineData("GET  / HTTP/1.1\r\n\r\n", "Drop")]
    [InlineData("GET / HTTP/2.0\r\n\r\n", "Drop")]
    [InlineData("GET /HTTP/1.1\r\n\r\n", "RequestComplete")]
    [InlineData("GET /HTTP/1.1\n\n", "Drop")]
    [InlineData("GET / HTTP/1.1\r\r\n\r\n", "Drop")]
    [InlineData("GET / \u0080 HTTP/1.1\r\n\r\n", "Drop")]
    [InlineData("GET / \u007f HTTP/1.1\r\n\r\n", "RequestComplete")]
    [InlineData("GET / HTTP/1.1", "Keep")]
    [InlineData("GET / HTTP/1.", "Keep")]
    [InlineData("GET / HTTP/1.1\r\nHost: a", "Keep")]
    public void Request_detection(string request, string outcome)
    {
        var state = Request(request);
        Assert.Equal(Enum.Parse<HttpParseOutcome>(outcome), state.LastOutcome);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 1)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", 0)]
    [InlineData("GET / HTTP/1.5\r\n\r\n", 0)]
    [InlineData("GET / HTTP/1.1\n\n", 1)]
    public void Request_version(string request, int version)
    {
        var state = Request(request);
        Assert.Equal(HttpParseOutcome.RequestComplete, state.LastOutcome);
        Assert.Equal(version, state.State.Message.Version);
    }

    [Theory]
    [InlineData(1008, "RequestComplete")]
    [InlineData(1009, "Drop")]
    [InlineData(1010, "Drop")]
    public void First_line_stops_at_absolute_offset_1024(int pathLength, string outcome)
    {
        var state = Request("GET /" + new string('a', pathLength) + " HTTP/1.1\r\n\r\n");
        Assert.Equal(Enum.Parse<HttpParseOutcome>(outcome), state.LastOutcome);
    }

    [Fact]
    public void Method_is_only_checked_before_the_first_line_was_started()
    {
        // "GET /" is checked once; the split first line then continues from the saved position.
        var state = Request("GET /index", ".html HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(HttpParseOutcome.RequestComplete, state.LastOutcome);
        Assert.Equal(1, state.State.Message.Count);
    }

    [Fact]
    public void Fewer_than_15_bytes_wait()
    {
        var state = Request("POST / HTTP/1");
        Assert.Equal(HttpParseOutcome.Keep, state.LastOutcome);
        Assert.Equal(0, state.State.InHttp);
    }

    [Theory]
    [InlineData("Accept:  */*", " */*")]
    [InlineData("Accept:\t*/*", "*/*")]
    [InlineData("Accept:*/*", "*/*")]
    [InlineData("Accept: */*\r", "*/*")]
    [InlineData("Accept: a\rb", "a\rb")]
    [InlineData("Accept: a\r\r", "a\r")]
    public void Value_skips_one_blank_and_one_trailing_cr(string header, string value)
    {
        var state = Request("GET / HTTP/1.1\r\n" + header + "\n\r\n");
        Assert.Equal(HttpParseOutcome.RequestComplete, state.LastOutcome);
        Assert.Equal(value, Value(state, 0));
    }

    [Theory]
    [InlineData("X-A b: v")]
    [InlineData("X-A : v")]
    [InlineData(" folded")]
    [InlineData("X.Y: v")]
    [InlineData(": v")]
    public void Malformed_header_lines_end_http(string header)
    {
        var state = Request("GET / HTTP/1.1\r\n" + header + "\r\n\r\n");
        Assert.Equal(HttpParseOutcome.Drop, state.LastOutcome);
        Assert.Equal(-1, state.State.InHttp);
    }

    [Theory]
    [InlineData(32, "RequestComplete")]
    [InlineData(33, "Drop")]
    public void Header_name_limit(int length, string outcome) =>
        Assert.Equal(Enum.Parse<HttpParseOutcome>(outcome), Request("GET / HTTP/1.1\r\n" + new string('N', length) + ": v\r\n\r\n").LastOutcome);

    [Theory]
    [InlineData(32, "RequestComplete")]
    [InlineData(33, "Drop")]
    public void Header_count_limit(int count, string outcome)
    {
        string headers = string.Concat(Enumerable.Range(0, count).Select(i => $"X-{i}: v\r\n"));
        Assert.Equal(Enum.Parse<HttpParseOutcome>(outcome), Request("GET / HTTP/1.1\r\n" + headers + "\r\n").LastOutcome);
    }

    [Fact]
    public void Overlong_value_ends_http_but_keeps_the_flow()
    {
        var ok = Request("GET / HTTP/1.1\r\nX: " + new string('v', 1023) + "\r\n\r\n");
        Assert.Equal(HttpParseOutcome.RequestComplete, ok.LastOutcome);

        var state = Request("GET / HTTP/1.1\r\nX: " + new string('v', 1024) + "\r\n\r\n");
        Assert.Equal(HttpParseOutcome.Keep, state.LastOutcome);
        Assert.Equal(-1, state.State.InHttp);
        Assert.Equal(HttpParseOutcome.Drop, HttpStreamParser.Run(state.State, true, Table));
    }

    [Fact]
    public void Empty_values_store_nothing_and_later_values_override()
    {
        var state = Request("GET / HTTP/1.1\r\nUser-Agent: first\r\nUser-Agent: second\r\nUser-Agent:\r\n"
            + "Accept-Language: de\r\nAccept-Language: \r\nVia:\r\n\r\n");
        var message = state.State.Message;
        Assert.Equal(6, message.Count);
        Assert.Equal(1, message.Software);
        Assert.Equal(3, message.Language);
        Assert.False(message.Via);
        Assert.Equal(0, message.Headers[2].ValueLength);
    }

    [Fact]
    public void Header_names_are_case_sensitive()
    {
        var state = Request("GET / HTTP/1.1\r\nuser-agent: curl\r\nUser-Agent: x\r\n\r\n");
        Assert.Equal(-1, state.State.Message.Headers[0].Id);
        Assert.Equal(HttpHeaderTable.UserAgent, state.State.Message.Headers[1].Id);
        Assert.Equal(1, state.State.Message.Software);
    }

    [Fact]
    public void Buffer_full_without_end_of_headers_ends_http()
    {
        var state = new Driver();
        state.Client(Encoding.Latin1.GetBytes("GET / HTTP/1.1\r\nHost: a\r\nX: " + new string('y', 9000)));
        Assert.Equal(HttpFlowState.MaxFlowData, state.State.RequestLength);
        Assert.Equal(HttpParseOutcome.Drop, state.LastOutcome);
    }

    [Fact]
    public void Response_before_a_complete_request_ends_http()
    {
        var state = Request("GET / HTTP/1.1\r\nHost: a\r\n");
        state.Server("HTTP/1.1 200 OK\r\n\r\n"u8.ToArray());
        Assert.Equal(HttpParseOutcome.Drop, state.LastOutcome);
    }

    [Fact]
    public void Every_response_segment_reruns_the_status_line_step()
    {
        var state = Request("GET / HTTP/1.1\r\n\r\n");
        state.Server("HTTP/1.1 200 OK\r\nServer: x\r\nDa"u8.ToArray());
        Assert.Equal(HttpParseOutcome.Keep, state.LastOutcome);
        state.Server("te: Tue, 14 Nov 2023 22:13:20 GMT\r\nContent-Type: a\r\n\r\n"u8.ToArray());
        Assert.Equal(HttpParseOutcome.ResponseComplete, state.LastOutcome);
        var message = state.State.Message;
        Assert.Equal(2, message.Count);
        Assert.Equal("Server", Name(state, 0, response: true));
        Assert.Equal("Content-Type", Name(state, 1, response: true));
        Assert.Equal(0u, message.Date);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", "ResponseComplete")]
    [InlineData("HTTP/1.1 20\r\n\r\n", "Drop")]
    [InlineData("HTTP/2.0 200 OK\r\n\r\n", "Drop")]
    [InlineData("HTTP/1.1 200 OK", "Keep")]
    [InlineData("SSH-2.0", "Keep")]
    [InlineData("SSH-2.0-OpenSSH\r\n", "Drop")]
    public void Response_status_line(string response, string outcome)
    {
        var state = Request("GET / HTTP/1.1\r\n\r\n");
        state.Server(Encoding.Latin1.GetBytes(response));
        Assert.Equal(Enum.Parse<HttpParseOutcome>(outcome), state.LastOutcome);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: curl/7.29.0\r\nAccept: */*\r\n\r\n",
        "1:Host,User-Agent,Accept=[*/*]:Connection,Accept-Encoding,Accept-Language,Accept-Charset,Keep-Alive:curl/7.29.0")]
    [InlineData("GET / HTTP/1.0\r\nHost: example.com\r\nX-Custom: a|b]c\r\nAccept: text/html|x\r\nAccept-Language: EN\r\n\r\n",
        "0:Host,X-Custom=[a|b],Accept=[text/html],Accept-Language=[EN]:User-Agent,Connection,Accept-Encoding,Accept-Charset,Keep-Alive:")]
    [InlineData("GET / HTTP/1.1\r\nuser-agent: curl/7.29.0\r\nhost: example.com\r\n\r\n",
        "1:user-agent=[curl/7.29.0],host=[example.com]:Host,User-Agent,Connection,Accept,Accept-Encoding,Accept-Language,Accept-Charset,Keep-Alive:")]
    [InlineData("GET / HTTP/1.1\r\nUser-Agent: a]b\r\nReferer: http://x/\r\nSet-Cookie: a=b\r\nX-E:\r\nAccept: \u00e9x\r\nX-U: x\u00e9\r\n\r\n",
        "1:User-Agent,?Referer,Set-Cookie=[a=b],X-E,Accept,X-U=[x]:Host,Connection,Accept-Encoding,Accept-Language,Accept-Charset,Keep-Alive:a")]
    public void Request_raw_signature(string request, string expected)
    {
        var state = Request(request);
        Assert.Equal(HttpParseOutcome.RequestComplete, state.LastOutcome);
        Assert.Equal(expected, RawSig(state, response: false));
    }

    [Fact]
    public void Values_and_software_are_cut_at_200_bytes()
    {
        var state = Request($"GET / HTTP/1.1\r\nUser-Agent: {new string('u', 300)}\r\nX-V: {new string('v', 300)}\r\n\r\n");
        Assert.Equal(
            $"1:User-Agent,X-V=[{new string('v', 200)}]:Host,Connection,Accept,Accept-Encoding,Accept-Language,Accept-Charset,Keep-Alive:{new string('u', 200)}",
            RawSig(state, response: false));
    }

    [Fact]
    public void Response_raw_signature_uses_the_response_lists()
    {
        var state = Request("GET / HTTP/1.1\r\n\r\n");
        state.Server(Encoding.Latin1.GetBytes(
            "HTTP/1.0 404 Not Found\nServer:  Apache/2.2.3\nContent-Type: text/html\nSet-Cookie: a=b\nCookie: c\n\n"));
        Assert.Equal(HttpParseOutcome.ResponseComplete, state.LastOutcome);
        Assert.Equal("0:Server,Content-Type,?Set-Cookie,Cookie=[c]:Connection,Keep-Alive,Accept-Ranges,Date: Apache/2.2.3", RawSig(state, response: true));
    }

    private static Driver Request(params string[] segments)
    {
        var driver = new Driver();
        foreach (string segment in segments)
        {
            driver.Client(Encoding.Latin1.GetBytes(segment));
        }

        return driver;
    }

    private static string Value(Driver driver, int index)
    {
        ref readonly var slot = ref driver.State.Message.Headers[index];
        return Encoding.Latin1.GetString(driver.State.Request!, slot.ValueStart, slot.ValueLength);
    }

    private static string Name(Driver driver, int index, bool response)
    {
        ref readonly var slot = ref driver.State.Message.Headers[index];
        return Encoding.Latin1.GetString(response ? driver.State.Response! : driver.State.Request!, slot.NameStart, slot.NameLength);
    }

    private static string RawSig(Driver driver, bool response)
    {
        var state = driver.State;
        var message = state.Message;
        byte[] data = response ? state.Response! : state.Request!;
        var ids = new int[message.Count];
        for (int i = 0; i < message.Count; i++)
        {
            ids[i] = Table.Find(data.AsSpan(message.Headers[i].NameStart, message.Headers[i].NameLength));
        }

        var text = new char[HttpRawSignature.MaxLength];
        int n = HttpRawSignature.Write(text, data.AsSpan(0, response ? state.ResponseLength : state.RequestLength), message, ids, Table, Table.For(response));
        return new string(text, 0, n);
    }

    /// <summary>Appends to the direction buffers like the analyzer and runs the parser.</summary>
    private sealed class Driver
    {
        public HttpFlowState State { get; } = new();

        public HttpParseOutcome LastOutcome { get; private set; }

        public void Client(byte[] data)
        {
            State.Request ??= new byte[HttpFlowState.MaxFlowData];
            Append(State.Request, ref State.RequestLength, data);
            LastOutcome = HttpStreamParser.Run(State, true, Table);
            if (LastOutcome == HttpParseOutcome.RequestComplete)
            {
                // What the analyzer does after fingerprinting, minus the buffer release (kept for inspection).
                State.RequestDone = true;
                State.Position = 0;
            }
        }

        public void Server(byte[] data)
        {
            if (State.RequestDone && State.Message.Count > 0 && State.Response is null)
            {
                State.Message.Clear();
            }

            State.Response ??= new byte[HttpFlowState.MaxFlowData];
            Append(State.Response, ref State.ResponseLength, data);
            LastOutcome = HttpStreamParser.Run(State, false, Table);
        }

        private static void Append(byte[] buffer, ref int length, byte[] data)
        {
            int n = Math.Min(data.Length, HttpFlowState.MaxFlowData - length);
            data.AsSpan(0, n).CopyTo(buffer.AsSpan(length));
            length += n;
        }
    }
}
