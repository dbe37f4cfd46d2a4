using P0fSharp.Signatures.Tcp;
using Xunit;

namespace P0fSharp.Signatures.Tests;

/// <summary>Matching rules of p0f's tcp_find_match on small synthetic databases.</summary>
public sealed class TcpMatchingTests
{
    private static TcpFingerprint Packet(byte ttl = 64, TcpQuirks quirks = TcpQuirks.Df | TcpQuirks.IdPlus, ushort mss = 1460, ushort window = 1000, byte version = 4)
    {
        var fp = new TcpFingerprint { IpVersion = version, Ttl = ttl, Quirks = quirks, Mss = mss, Window = window, TotalHeaderLength = 44 };
        fp.Layout.TryAdd(2);
        return fp;
    }

    private static SignatureDatabase Db(string body) => TestDb.Parse(TestDb.Classes + "[tcp:request]\n" + body);

    [Fact]
    public void Exact_specific_match_gives_signature_ttl_distance()
    {
        SignatureDatabase db = Db("label = s:unix:A:\nsig = 4:64:0:*:*,*:mss:df,id+:0\n");
        TcpMatchResult m = db.MatchTcp(Packet(ttl: 50), false, 0);
        Assert.Equal("A", m.Signature?.Label.Display);
        Assert.False(m.Fuzzy);
        Assert.Equal(14, m.Distance);
    }

    [Fact]
    public void Quirk_fuzziness_only_for_lost_df_idplus_or_gained_idminus_ecn()
    {
        SignatureDatabase db = Db("label = s:unix:A:\nsig = 4:64:0:*:*,*:mss:df,id+:0\n");
        TcpMatchResult m = db.MatchTcp(Packet(quirks: TcpQuirks.IdMinus | TcpQuirks.Ecn), false, 0);
        Assert.True(m.Fuzzy);
        Assert.Equal(0, m.Distance);

        Assert.False(db.MatchTcp(Packet(quirks: TcpQuirks.Df | TcpQuirks.IdPlus | TcpQuirks.SeqMinus), false, 0).IsMatch);
    }

    [Fact]
    public void Ttl_fuzzy_match_uses_the_guessed_distance()
    {
        SignatureDatabase db = Db("label = s:unix:A:\nsig = 4:64:0:*:*,*:mss:df,id+:0\n");
        TcpMatchResult low = db.MatchTcp(Packet(ttl: 20), false, 0);
        Assert.True(low.Fuzzy);
        Assert.Equal(12, low.Distance);
        TcpMatchResult high = db.MatchTcp(Packet(ttl: 70), false, 0);
        Assert.True(high.Fuzzy);
        Assert.Equal(58, high.Distance);
    }

    [Fact]
    public void Exact_generic_beats_fuzzy_specific_and_first_fuzzy_wins()
    {
        SignatureDatabase db = Db(
            "label = s:unix:Fuzzy1:\nsig = 4:64:0:*:*,*:mss:df,id+:0\n" +
            "label = s:unix:Fuzzy2:\nsig = 4:64:0:*:*,*:mss:df:0\n" +
            "label = g:unix:Generic:\nsig = 4:64:0:*:*,*:mss::0\n");
        TcpMatchResult m = db.MatchTcp(Packet(quirks: TcpQuirks.None), false, 0);
        Assert.Equal("Generic", m.Signature?.Label.Display);
        Assert.True(m.IsGeneric);
        Assert.False(m.Fuzzy);

        TcpMatchResult f = db.MatchTcp(Packet(quirks: TcpQuirks.IdMinus), false, 0);
        Assert.Equal("Fuzzy1", f.Signature?.Label.Display);
        Assert.True(f.Fuzzy);
    }

    [Fact]
    public void After_a_fuzzy_candidate_other_quirk_mismatches_are_skipped()
    {
        // Second sig would be an exact-TTL quirk-fuzzy candidate, but the first (TTL-fuzzy) came first.
        SignatureDatabase db = Db(
            "label = s:unix:TtlFuzzy:\nsig = 4:255:0:*:*,*:mss::0\n" +
            "label = s:unix:QuirkFuzzy:\nsig = 4:64:0:*:*,*:mss:df:0\n");
        TcpMatchResult m = db.MatchTcp(Packet(quirks: TcpQuirks.None), false, 0);
        Assert.Equal("TtlFuzzy", m.Signature?.Label.Display);
        Assert.Equal(0, m.Distance);
    }

    [Fact]
    public void Fuzzy_application_candidate_means_no_match_and_zero_distance()
    {
        SignatureDatabase db = Db("label = s:!:Tool:\nsys = @unix\nsig = 4:64:0:*:*,*:mss:df,id+:0\n");
        TcpMatchResult m = db.MatchTcp(Packet(ttl: 50, quirks: TcpQuirks.None), false, 0);
        Assert.False(m.IsMatch);
        Assert.Equal(0, m.Distance);
    }

    [Fact]
    public void No_candidate_gives_the_guessed_distance()
    {
        SignatureDatabase db = Db("label = s:unix:A:\nsig = 4:64:0:*:*,*:nop::0\n");
        TcpMatchResult m = db.MatchTcp(Packet(ttl: 120), false, 0);
        Assert.False(m.IsMatch);
        Assert.Equal(8, m.Distance);
    }

    [Fact]
    public void Bad_ttl_signature_accepts_any_lower_ttl()
    {
        SignatureDatabase db = Db("label = s:unix:A:\nsig = 4:64-:0:*:*,*:mss:df,id+:0\n");
        TcpMatchResult m = db.MatchTcp(Packet(ttl: 3), false, 0);
        Assert.False(m.Fuzzy);
        Assert.Equal(61, m.Distance);
        Assert.True(m.Signature!.BadTtl);
        Assert.False(db.MatchTcp(Packet(ttl: 65), false, 0).IsMatch);
    }

    [Fact]
    public void Ip_version_is_not_compared_but_masks_wildcard_quirks()
    {
        SignatureDatabase v4 = Db("label = s:unix:A:\nsig = 4:64:0:*:*,*:mss::0\n");
        Assert.True(v4.MatchTcp(Packet(quirks: TcpQuirks.None, version: 6), false, 0).IsMatch);

        SignatureDatabase any = Db("label = s:unix:A:\nsig = *:64:0:*:*,*:mss:df,id+:0\n");
        TcpMatchResult m6 = any.MatchTcp(Packet(quirks: TcpQuirks.None, version: 6), false, 0);
        Assert.True(m6.IsMatch);
        Assert.False(m6.Fuzzy);
    }

    [Fact]
    public void Window_types()
    {
        SignatureDatabase db = Db(
            "label = s:unix:Mod:\nsig = 4:64:0:*:%512,*:mss::0\n" +
            "label = s:unix:Mss:\nsig = 4:64:0:*:mss*4,*:mss::0\n" +
            "label = s:unix:Mtu:\nsig = 4:64:0:*:mtu*2,*:mss::0\n" +
            "label = s:unix:Lit:\nsig = 4:64:0:*:777,*:mss::0\n");
        Assert.Equal("Mod", db.MatchTcp(Packet(quirks: 0, window: 1536), false, 0).Signature?.Label.Name);
        Assert.Equal("Mss", db.MatchTcp(Packet(quirks: 0, window: 5840), false, 0).Signature?.Label.Name);
        Assert.Equal("Mtu", db.MatchTcp(Packet(quirks: 0, window: 3000), false, 0).Signature?.Label.Name);
        Assert.Equal("Lit", db.MatchTcp(Packet(quirks: 0, window: 777), false, 0).Signature?.Label.Name);
        Assert.False(db.MatchTcp(Packet(quirks: 0, window: 778), false, 0).IsMatch);
    }

    [Fact]
    public void Syn_ack_uses_response_signatures_and_peer_mss()
    {
        SignatureDatabase db = TestDb.Parse(TestDb.Classes + "[tcp:response]\nlabel = s:unix:R:\nsig = *:64:0:*:mss*3,*:mss::0\n");
        TcpFingerprint fp = Packet(quirks: 0, mss: 1000, window: 4200);
        Assert.False(db.MatchTcp(fp, false, 0).IsMatch);
        Assert.False(db.MatchTcp(fp, true, 0).IsMatch);
        Assert.Equal("R", db.MatchTcp(fp, true, 1400).Signature?.Label.Name);
    }
}
