using System.Globalization;
using P0fSharp.Signatures.Tcp;
using Xunit;

namespace P0fSharp.Signatures.Tests;

/// <summary>
/// Every syn / syn+ack line the real p0f logged for the vectors: rebuilding the packet
/// fingerprint from its raw_sig and matching it against the same database must give the
/// same os/app, dist and params, and formatting must give the same raw_sig.
/// </summary>
public sealed class TcpMatchVectorTests
{
    private static readonly Lazy<SignatureDatabase> Custom = new(() => SignatureDatabase.Load(Path.Combine(TestPaths.VectorsOrThrow, "fp", "custom.fp")));

    public static TheoryData<string, int> Lines()
    {
        var data = new TheoryData<string, int>();
        if (TestPaths.Vectors is null)
        {
            data.Add("unavailable", 0);
            return data;
        }

        foreach (ExpectedLine line in ExpectedLine.ReadAll().Where(IsTcp))
        {
            data.Add(line.Case, line.Index);
        }

        return data;
    }

    [VectorTheory]
    [MemberData(nameof(Lines))]
    public void Matches_like_p0f(string caseName, int index)
    {
        List<ExpectedLine> all = ExpectedLine.ReadAll();
        ExpectedLine line = all.Single(l => l.Case == caseName && l.Index == index);
        bool synAck = line.Module is "syn+ack" or "sendsyn response";
        bool sendSyn = line.Module.StartsWith("sendsyn", StringComparison.Ordinal);
        ushort synMss = synAck ? SynMssFor(all, line) : (ushort)0;

        string expectedParams = line.Get("params");
        byte tos = 0;
        int tosAt = expectedParams.IndexOf("tos:0x", StringComparison.Ordinal);
        if (tosAt >= 0)
        {
            tos = byte.Parse(expectedParams.AsSpan(tosAt + 6, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        string raw = line.Get("raw_sig");
        TcpFingerprint fp = RawSignatures.ToFingerprint(raw, synAck, synMss, tos);
        SignatureDatabase db = caseName.StartsWith("t36_", StringComparison.Ordinal) ? Custom.Value : TestDb.Stock;

        TcpMatchResult m = db.MatchTcp(fp, synAck, synMss);

        Span<char> buffer = stackalloc char[TcpRawSignature.MaxLength];
        Assert.True(TcpRawSignature.TryFormat(fp, synAck, synMss, buffer, out int n));
        Assert.Equal(raw, buffer[..n].ToString());

        string key = line.Has("app") ? "app" : "os";
        string actualKey = m.Signature is not null && (m.Signature.Label.IsApplication || sendSyn) ? "app" : "os";
        Assert.Equal(key + "=" + line.Get(key), actualKey + "=" + (m.Signature?.Label.Display ?? "???"));

        string dist = m.Signature?.BadTtl == true ? "<= " + m.Distance.ToString(CultureInfo.InvariantCulture) : m.Distance.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(line.Get("dist"), dist);

        Assert.True(TcpParams.TryFormat(m, fp, buffer, out n));
        Assert.Equal(expectedParams, buffer[..n].ToString());
    }

    [VectorFact]
    public void Covers_the_interesting_cases()
    {
        List<ExpectedLine> tcp = ExpectedLine.ReadAll().Where(IsTcp).ToList();
        Assert.True(tcp.Count > 150);
        Assert.Contains(tcp, l => l.Get("params").Contains("generic fuzzy", StringComparison.Ordinal));
        Assert.Contains(tcp, l => l.Get("params").Contains("excess_dist", StringComparison.Ordinal));
        Assert.Contains(tcp, l => l.Get("params") == "random_ttl");
        Assert.Contains(tcp, l => l.Case.StartsWith("t36_", StringComparison.Ordinal) && l.Has("os") && l.Get("os") == "???" && l.Get("dist") == "0");
    }

    private static bool IsTcp(ExpectedLine l) => l.Module is "syn" or "syn+ack" or "sendsyn probe" or "sendsyn response";

    /// <summary>The MSS of the SYN that opened this SYN+ACK's flow (same case, same client).</summary>
    private static ushort SynMssFor(List<ExpectedLine> all, ExpectedLine synAck)
    {
        ExpectedLine syn = all.Last(l => l.Case == synAck.Case && l.Index < synAck.Index && l.Client == synAck.Client && l.Module is "syn" or "sendsyn probe");
        string mss = syn.Get("raw_sig").Split(':')[3];
        return ushort.Parse(mss, CultureInfo.InvariantCulture);
    }
}
