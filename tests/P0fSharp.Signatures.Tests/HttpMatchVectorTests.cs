using P0fSharp.Signatures.Http;
using Xunit;

namespace P0fSharp.Signatures.Tests;

/// <summary>
/// HTTP lines the real p0f logged for the vectors: rebuilding the observation from its
/// raw_sig and matching it against data/p0f.fp must give the same app and params.
/// </summary>
public sealed class HttpMatchVectorTests
{
    public static TheoryData<string, int> Lines()
    {
        var data = new TheoryData<string, int>();
        if (TestPaths.Vectors is null)
        {
            data.Add("unavailable", 0);
            return data;
        }

        foreach (ExpectedLine line in ExpectedLine.ReadAll().Where(IsHttp))
        {
            data.Add(line.Case, line.Index);
        }

        return data;
    }

    [VectorTheory]
    [MemberData(nameof(Lines))]
    public void Matches_like_p0f(string caseName, int index)
    {
        ExpectedLine line = ExpectedLine.ReadAll().Single(l => l.Case == caseName && l.Index == index);
        bool response = line.Module == "http response";
        SignatureDatabase db = TestDb.Stock;
        HttpObservation obs = FromRawSig(db.HttpHeaders, line.Get("raw_sig"), response);

        HttpMatchResult m = db.MatchHttp(obs, response);

        string key = line.Has("os") ? "os" : "app";
        string actualKey = m.Signature is { Label.IsApplication: false } ? "os" : "app";
        Assert.Equal(key + "=" + line.Get(key), actualKey + "=" + (m.Signature?.Label.Display ?? "???"));

        var words = new List<string>();
        if (m.Dishonest)
        {
            words.Add("dishonest");
        }

        if (obs.Software is null)
        {
            words.Add("anonymous");
        }

        if (m.IsGeneric)
        {
            words.Add("generic");
        }

        Assert.Equal(line.Get("params"), words.Count == 0 ? "none" : string.Join(' ', words));
    }

    [Fact]
    public void Optional_header_out_of_order_fails_and_dishonesty_is_reported()
    {
        SignatureDatabase db = TestDb.Stock;
        HttpHeaderTable t = db.HttpHeaders;
        var curlShape = new HttpObservation(
            1,
            [
                new HttpObservedHeader(t.Find("User-Agent"), "User-Agent", "Mozilla/5.0 Firefox/45.0"),
                new HttpObservedHeader(t.Find("Host"), "Host", "example.com"),
                new HttpObservedHeader(t.Find("Accept"), "Accept", "*/*"),
            ],
            "Mozilla/5.0 Firefox/45.0");
        HttpMatchResult m = db.MatchHttp(curlShape, response: false);
        Assert.Equal("curl", m.Signature?.Label.Display);
        Assert.True(m.Dishonest);

        // Lower-case names are unknown headers and never match anything.
        var lower = new HttpObservation(
            1,
            [
                new HttpObservedHeader(-1, "user-agent", "curl/7.29.0"),
                new HttpObservedHeader(-1, "host", "example.com"),
                new HttpObservedHeader(-1, "accept", "*/*"),
            ],
            null);
        Assert.False(db.MatchHttp(lower, response: false).IsMatch);
    }

    private static bool IsHttp(ExpectedLine l) => l.Module is "http request" or "http response";

    /// <summary>
    /// raw_sig = ver:headers:absent:software. Values p0f hides (optional / skip-value headers)
    /// are unknown here; User-Agent and Server get the software string.
    /// </summary>
    private static HttpObservation FromRawSig(HttpHeaderTable table, string raw, bool response)
    {
        int version = raw[0] - '0';
        int p = 2;
        var headers = new List<HttpObservedHeader>();
        while (p < raw.Length && raw[p] != ':')
        {
            if (raw[p] == '?')
            {
                p++;
            }

            int start = p;
            while (p < raw.Length && raw[p] != '=' && raw[p] != ',' && raw[p] != ':')
            {
                p++;
            }

            string name = raw[start..p];
            string? value = null;
            if (p < raw.Length && raw[p] == '=')
            {
                int close = raw.IndexOf(']', p);
                value = raw[(p + 2)..close];
                p = close + 1;
            }

            headers.Add(new HttpObservedHeader(table.Find(name), name, value));
            if (p < raw.Length && raw[p] == ',')
            {
                p++;
            }
        }

        int absentEnd = raw.IndexOf(':', p + 1);
        string software = raw[(absentEnd + 1)..];
        string? sw = software.Length == 0 ? null : software;

        int swHeader = response ? HttpHeaderTable.Server : HttpHeaderTable.UserAgent;
        for (int i = 0; i < headers.Count; i++)
        {
            if (headers[i].Id == swHeader && headers[i].Value is null)
            {
                headers[i] = headers[i] with { Value = sw };
            }
        }

        return new HttpObservation(version, headers, sw);
    }
}
