using P0fSharp.Signatures.Tcp;
using Xunit;

namespace P0fSharp.Signatures.Tests;

public sealed class TcpFormattingTests
{
    [Theory]
    [InlineData(1, 31)]
    [InlineData(32, 0)]
    [InlineData(33, 31)]
    [InlineData(64, 0)]
    [InlineData(65, 63)]
    [InlineData(128, 0)]
    [InlineData(129, 126)]
    [InlineData(255, 0)]
    [InlineData(0, 32)]
    public void Ttl_distance_guess(byte ttl, byte expected) => Assert.Equal(expected, TtlDistance.Guess(ttl));

    [Theory]
    [InlineData(1400, 2920, 4, 0u, 0, 2, false)] // fixed 1460
    [InlineData(1400, 3000, 4, 0u, 0, 2, true)] // fixed 1500
    [InlineData(1400, 2880, 4, 0u, 0, 2, true)] // mss + 40
    [InlineData(1000, 2964, 4, 1u, 0, 3, false)] // mss - 12 with timestamps
    [InlineData(1000, 2964, 4, 0u, 0, -1, false)] // ... and without
    [InlineData(1000, 2880, 6, 0u, 0, 2, false)] // IPv6 1440
    [InlineData(1000, 2880, 4, 0u, 0, -1, false)]
    [InlineData(1000, 2120, 6, 0u, 0, 2, true)] // IPv6 mss + 60
    [InlineData(1460, 0, 4, 0u, 0, -1, false)] // window 0
    [InlineData(99, 990, 4, 0u, 0, -1, false)] // mss < 100
    [InlineData(1000, 4200, 4, 0u, 1400, 3, false)] // SYN+ACK: peer MSS
    [InlineData(1000, 4164, 4, 0u, 1400, 3, false)] // SYN+ACK: peer MSS - 12
    [InlineData(1000, 14, 4, 0u, 5, -2, false)] // synMss - 12 < 0: negative, so "none"
    [InlineData(1000, 40001, 4, 0u, 1, -25535, false)] // quotient overflows s16
    [InlineData(1000, 13, 4, 0u, 12, -1, false)] // zero divisor (p0f would crash)
    public void Window_multiplier(int mss, int window, byte ipVersion, uint ts1, int synMss, int expected, bool mtu)
    {
        var fp = new TcpFingerprint { Mss = (ushort)mss, Window = (ushort)window, IpVersion = ipVersion, Ts1 = ts1, TotalHeaderLength = 52 };
        bool found = WindowMultiplier.Detect(fp, (ushort)synMss, out int multiplier, out bool mtuBased);
        Assert.Equal(expected, multiplier);
        Assert.Equal(expected > 0, found);
        if (found)
        {
            Assert.Equal(mtu, mtuBased);
        }
    }

    [Theory]
    [InlineData("4:64+0:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0", false, 0)]
    [InlineData("6:57+7:0:1440:mss*20,7:mss,sok,ts,nop,ws:flow:0", false, 0)]
    [InlineData("4:200+?:0:1400:4321,0:mss,nop,nop,sok:df,id+:0", false, 0)]
    [InlineData("4:64+0:0:1460:65535,4:mss,nop,ws,nop,nop,ts,sok,eol+5:df,id+,opt+:0", false, 0)]
    [InlineData("4:64+0:0:1460:mss*20,0:mss,?30,?254,nop,nop:df,id+:0", false, 0)]
    [InlineData("4:64+0:0:0:29200,0:nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop:df,id+,bad:0", false, 0)]
    [InlineData("4:64+0:0:*:mss*10,7:mss,sok,ts,nop,ws:df:0", true, 1331)]
    [InlineData("4:192+?:0:1331:1337,0:mss,nop,eol+18::0", false, 0)]
    [InlineData("4:64+0:4:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:+", false, 0)]
    [InlineData("4:64+0:0:1460:mss*4,0:mss:df:0", true, 1400)]
    [InlineData("4:64+0:0:1460:1,0::df,id+,id-,ecn,0+,flow,seq-,ack+,ack-,uptr+,urgf+,pushf+,ts1-,ts2+,opt+,exws,bad:0", false, 0)]
    public void Raw_signature_round_trips(string raw, bool synAck, int synMss)
    {
        TcpFingerprint fp = RawSignatures.ToFingerprint(raw, synAck, (ushort)synMss);
        Span<char> buffer = stackalloc char[TcpRawSignature.MaxLength];
        Assert.True(TcpRawSignature.TryFormat(fp, synAck, (ushort)synMss, buffer, out int n));
        Assert.Equal(raw, buffer[..n].ToString());
    }

    [Fact]
    public void Sendsyn_mss_is_only_a_wildcard_on_syn_ack()
    {
        var fp = new TcpFingerprint { IpVersion = 4, Ttl = 64, Mss = 1331, Window = 7 };
        Span<char> buffer = stackalloc char[TcpRawSignature.MaxLength];
        Assert.True(TcpRawSignature.TryFormat(fp, false, 0, buffer, out int n));
        Assert.Equal("4:64+0:0:1331:7,0:::0", buffer[..n].ToString());
        Assert.True(TcpRawSignature.TryFormat(fp, true, 0, buffer, out n));
        Assert.Equal("4:64+0:0:*:7,0:::0", buffer[..n].ToString());
    }

    [Fact]
    public void Formatting_reports_a_too_small_buffer()
    {
        var fp = new TcpFingerprint { IpVersion = 4, Ttl = 64, Mss = 1460, Window = 7 };
        Span<char> small = stackalloc char[10];
        Assert.False(TcpRawSignature.TryFormat(fp, false, 0, small, out int n));
        Assert.Equal(0, n);
        Assert.False(TcpParams.TryFormat(default, fp, small[..2], out _));
    }

    [Fact]
    public void Params_words_and_order()
    {
        SignatureDatabase db = TestDb.Parse(
            TestDb.Classes + "[tcp:request]\nlabel = g:unix:G:\nsig = 4:64-:0:*:*,*:mss::0\n");
        TcpSignature sig = db.TcpRequestSignatures[0];
        var fp = new TcpFingerprint { IpVersion = 4, Ttl = 20, Tos = 0x04 };
        Span<char> buffer = stackalloc char[TcpParams.MaxLength];

        Assert.True(TcpParams.TryFormat(new TcpMatchResult(sig, true, 44), fp, buffer, out int n));
        Assert.Equal("generic fuzzy random_ttl excess_dist tos:0x04", buffer[..n].ToString());

        Assert.True(TcpParams.TryFormat(new TcpMatchResult(null, false, 0), new TcpFingerprint(), buffer, out n));
        Assert.Equal("none", buffer[..n].ToString());

        Assert.True(TcpParams.TryFormat(new TcpMatchResult(null, false, 58), new TcpFingerprint { Tos = 0x2e }, buffer, out n));
        Assert.Equal("excess_dist tos:0x2e", buffer[..n].ToString());
    }
}
