using P0fSharp.Capture.Tests.Support;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Capture.Tests;

/// <summary>p0f's TCP option walk (spec §2.5): every abort/bad rule, EOL padding, the 24-option cap.</summary>
public sealed class OptionTests
{
    private const TcpQuirks Base = TcpQuirks.Df | TcpQuirks.IdPlus;

    private static TcpFingerprint Parse(byte[] options, byte flags = Frames.Syn)
    {
        Assert.True(options.Length % 4 == 0 && options.Length <= 40, "test bug: option area must be whole words");
        byte[] l3 = Frames.Ip4(Frames.Client, Frames.Server, Frames.Tcp(flags: flags, options: options));
        DecodedRecord r = DecodeRun.DecodeFrames(LinkTypes.Raw, [l3])[0];
        Assert.Equal(DecodeStatus.Ok, r.Status);
        return r.Fingerprint;
    }

    private static byte[] Raw(params byte[] bytes) => bytes;

    [Fact]
    public void NoOptions()
    {
        TcpFingerprint fp = Parse([]);
        Assert.Equal(0, fp.Layout.Count);
        Assert.Equal(Base, fp.Quirks);
    }

    [Fact]
    public void LinuxLayoutValues()
    {
        TcpFingerprint fp = Parse(Frames.LinuxOpts(1400, 9, 0x01020304));
        Assert.Equal("mss,sok,ts,nop,ws", RawSig.Layout(fp));
        Assert.Equal(1400, fp.Mss);
        Assert.Equal(9, fp.WindowScale);
        Assert.Equal(0x01020304u, fp.Ts1);
        Assert.Equal(Base, fp.Quirks);
    }

    [Fact]
    public void MssRules()
    {
        // Wrong length byte: bad, value still read, advance 3 regardless.
        TcpFingerprint fp = Parse(Frames.Opts(Frames.Mss(1380, 5), Frames.Nop, Frames.Nop, Frames.Nop, Frames.Nop));
        Assert.Equal(1380, fp.Mss);
        Assert.Equal("mss,nop,nop,nop,nop", RawSig.Layout(fp));
        Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);

        // Length 0 is also just "bad".
        Assert.Equal(Base | TcpQuirks.Bad, Parse(Frames.Opts(Frames.Mss(1380, 0))).Quirks);

        // Fewer than 3 bytes after the kind: abort (the kind is still in the layout).
        fp = Parse(Raw(1, 2, 4, 5));
        Assert.Equal("nop,mss", RawSig.Layout(fp));
        Assert.Equal(0, fp.Mss);
        Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);

        // Exactly 3 bytes left: fine.
        fp = Parse(Raw(2, 4, 5, 0xB4));
        Assert.Equal(1460, fp.Mss);
        Assert.Equal(Base, fp.Quirks);
    }

    [Fact]
    public void WindowScaleRules()
    {
        Assert.Equal(Base | TcpQuirks.Exws, Parse(Frames.Opts(Frames.Ws(15), Frames.Nop)).Quirks);
        Assert.Equal(Base, Parse(Frames.Opts(Frames.Ws(14), Frames.Nop)).Quirks);

        TcpFingerprint fp = Parse(Frames.Opts(Frames.Ws(200, 4), Frames.Nop));
        Assert.Equal(200, fp.WindowScale);
        Assert.Equal(Base | TcpQuirks.Bad | TcpQuirks.Exws, fp.Quirks);

        // Only one byte after the kind: abort.
        fp = Parse(Raw(1, 1, 3, 3));
        Assert.Equal("nop,nop,ws", RawSig.Layout(fp));
        Assert.Equal(0, fp.WindowScale);
        Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);
    }

    [Fact]
    public void SackPermittedRules()
    {
        Assert.Equal(Base, Parse(Frames.Opts(Frames.Sok(), Frames.Nop, Frames.Nop)).Quirks);
        Assert.Equal(Base | TcpQuirks.Bad, Parse(Frames.Opts(Frames.Sok(3), Frames.Nop, Frames.Nop)).Quirks);

        // Kind as the very last byte: abort.
        TcpFingerprint fp = Parse(Raw(1, 1, 1, 4));
        Assert.Equal("nop,nop,nop,sok", RawSig.Layout(fp));
        Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);
    }

    [Fact]
    public void SackRules()
    {
        byte[] Sack(byte length) => [5, length, .. new byte[Math.Max(0, length - 2)]];

        TcpFingerprint fp = Parse(Frames.Opts(Frames.Nop, Frames.Nop, Sack(10)));
        Assert.Equal("nop,nop,sack", RawSig.Layout(fp));
        Assert.Equal(Base, fp.Quirks);
        Assert.Equal(Base, Parse(Frames.Opts(Frames.Nop, Frames.Nop, Sack(34), Frames.Nop, Frames.Nop)).Quirks);

        // Length outside 10..34 or past the end: abort.
        Assert.Equal(Base | TcpQuirks.Bad, Parse(Frames.Opts(Frames.Nop, Frames.Nop, Sack(9))).Quirks);
        Assert.Equal(Base | TcpQuirks.Bad, Parse(Frames.Opts(Frames.Nop, Frames.Nop, [5, 35, .. new byte[34]])).Quirks);
        Assert.Equal(Base | TcpQuirks.Bad, Parse(Raw(1, 1, 5, 10, 0, 0, 0, 0)).Quirks);
        fp = Parse(Raw(1, 1, 1, 5));
        Assert.Equal("nop,nop,nop,sack", RawSig.Layout(fp));
        Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);
    }

    [Fact]
    public void TimestampRules()
    {
        TcpFingerprint fp = Parse(Frames.Opts(Frames.Nop, Frames.Nop, Frames.Ts(0)));
        Assert.Equal(Base | TcpQuirks.Ts1Minus, fp.Quirks);

        // ts2+ only on a pure SYN.
        Assert.Equal(Base | TcpQuirks.Ts2Plus, Parse(Frames.Opts(Frames.Nop, Frames.Nop, Frames.Ts(1, 2))).Quirks);
        Assert.Equal(Base | TcpQuirks.AckMinus, Parse(Frames.Opts(Frames.Nop, Frames.Nop, Frames.Ts(1, 2)), Frames.Syn | Frames.Ack).Quirks);
        Assert.Equal(Base | TcpQuirks.Ts2Plus | TcpQuirks.PushfPlus, Parse(Frames.Opts(Frames.Nop, Frames.Nop, Frames.Ts(1, 2)), Frames.Syn | Frames.Psh).Quirks);
        Assert.Equal(Base | TcpQuirks.Ts2Plus | TcpQuirks.Ecn, Parse(Frames.Opts(Frames.Nop, Frames.Nop, Frames.Ts(1, 2)), Frames.Syn | Frames.Ece).Quirks);

        // Wrong length: bad, values read, advance 9.
        fp = Parse(Frames.Opts(Frames.Nop, Frames.Nop, Frames.Ts(99, 0, 12)));
        Assert.Equal(99u, fp.Ts1);
        Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);

        // Truncated by the end of the header (vector t11 .8): abort.
        fp = Parse([.. Frames.Mss(1460), 1, 1, 8, 10, 0, 0, 0, 0]);
        Assert.Equal("mss,nop,nop,ts", RawSig.Layout(fp));
        Assert.Equal(1460, fp.Mss);
        Assert.Equal(0u, fp.Ts1);
        Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);
    }

    [Fact]
    public void UnknownOptionRules()
    {
        TcpFingerprint fp = Parse([.. Frames.Mss(1460), 0x1E, 4, 0xAA, 0xBB, 0xFE, 2, 1, 1]);
        Assert.Equal("mss,?30,?254,nop,nop", RawSig.Layout(fp));
        Assert.Equal(Base, fp.Quirks);

        foreach (byte badLength in new byte[] { 0, 1, 41, 255 })
        {
            fp = Parse([.. Frames.Mss(1460), 0x1E, badLength, 1, 1]);
            Assert.Equal("mss,?30", RawSig.Layout(fp));
            Assert.Equal(1460, fp.Mss);
            Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);
        }

        // Length 40 is allowed but must fit.
        Assert.Equal(Base, Parse([0x1E, 40, .. new byte[38]]).Quirks);
        Assert.Equal(Base | TcpQuirks.Bad, Parse([1, 0x1E, 40, .. new byte[37]]).Quirks);
        fp = Parse([1, 1, 0x1E, 38, .. new byte[36]]);
        Assert.Equal("nop,nop,?30", RawSig.Layout(fp));
        Assert.Equal(Base, fp.Quirks);

        // Over-long by one byte.
        Assert.Equal(Base | TcpQuirks.Bad, Parse(Raw(1, 0x1E, 4, 0)).Quirks);

        // Kind as the last byte: abort.
        fp = Parse([1, 1, 1, 0x99]);
        Assert.Equal("nop,nop,nop,?153", RawSig.Layout(fp));
        Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);
    }

    [Fact]
    public void EolPaddingAndTheOptPlusBlindSpot()
    {
        byte[] mac = Frames.Opts(false, Frames.Mss(1460), Frames.Nop, Frames.Ws(4), Frames.Nop, Frames.Nop, Frames.Ts(5000), Frames.Sok());

        TcpFingerprint fp = Parse([.. mac, 0, 0]);
        Assert.Equal("mss,nop,ws,nop,nop,ts,sok,eol+1", RawSig.Layout(fp));
        Assert.Equal(1, fp.EolPadding);
        Assert.Equal(Base, fp.Quirks);

        // A non-zero byte that is not the last one: opt+.
        fp = Parse([.. mac, 0, 0, 5, 0, 0, 0]);
        Assert.Equal(5, fp.EolPadding);
        Assert.Equal(Base | TcpQuirks.OptPlus, fp.Quirks);

        // Only the last byte non-zero: upstream's loop steps past it, no opt+.
        fp = Parse([.. mac, 0, 0, 0, 0, 0, 5]);
        Assert.Equal(5, fp.EolPadding);
        Assert.Equal(Base, fp.Quirks);

        // EOL as the last byte: eol+0.
        fp = Parse([1, 1, 1, 0]);
        Assert.Equal("nop,nop,nop,eol+0", RawSig.Layout(fp));
        Assert.Equal(0, fp.EolPadding);
        Assert.Equal(Base, fp.Quirks);

        // EOL first: everything after is padding, options behind it are not parsed.
        fp = Parse([0, .. Frames.Mss(1460), 0, 0, 0]);
        Assert.Equal("eol+7", RawSig.Layout(fp));
        Assert.Equal(0, fp.Mss);
        Assert.Equal(Base | TcpQuirks.OptPlus, fp.Quirks);

        // Non-zero first padding byte in a 1-byte pad is the last byte: not flagged.
        fp = Parse([1, 1, 0, 9]);
        Assert.Equal(Base, fp.Quirks);
        fp = Parse([1, 0, 9, 0]);
        Assert.Equal(Base | TcpQuirks.OptPlus, fp.Quirks);
    }

    [Fact]
    public void TwentyFourOptionCap()
    {
        TcpFingerprint fp = Parse([.. Enumerable.Repeat((byte)1, 24)]);
        Assert.Equal(24, fp.Layout.Count);
        Assert.Equal(Base, fp.Quirks);

        // 36 NOPs + MSS (vector t11 .9): 24 NOPs recorded, MSS never reached, bad.
        fp = Parse([.. Enumerable.Repeat((byte)1, 36), .. Frames.Mss(1460)]);
        Assert.Equal(24, fp.Layout.Count);
        Assert.Equal(string.Join(',', Enumerable.Repeat("nop", 24)), RawSig.Layout(fp));
        Assert.Equal(0, fp.Mss);
        Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);

        // 23 NOPs + EOL: the EOL is the 24th option and consumes the rest.
        fp = Parse([.. Enumerable.Repeat((byte)1, 23), 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(24, fp.Layout.Count);
        Assert.Equal(8, fp.EolPadding);
        Assert.Equal(Base, fp.Quirks);

        // 25 NOPs: the 25th is left over -> bad.
        fp = Parse([.. Enumerable.Repeat((byte)1, 25), 1, 1, 1]);
        Assert.Equal(24, fp.Layout.Count);
        Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);
    }

    [Fact]
    public void DuplicateOptionsOverwrite()
    {
        TcpFingerprint fp = Parse(Frames.Opts(Frames.Mss(1000), Frames.Mss(1200), Frames.Ws(3), Frames.Ws(5), Frames.Ts(0), Frames.Ts(7)));
        Assert.Equal(1200, fp.Mss);
        Assert.Equal(5, fp.WindowScale);
        Assert.Equal(7u, fp.Ts1);

        // ts1- stays once seen even if a later timestamp is non-zero.
        Assert.Equal(Base | TcpQuirks.Ts1Minus, fp.Quirks);
        Assert.Equal("mss,mss,ws,ws,ts,ts,eol+1", RawSig.Layout(fp));
    }

    [Fact]
    public void ValuesParsedBeforeAnAbortAreKept()
    {
        TcpFingerprint fp = Parse([.. Frames.Mss(1300), .. Frames.Ws(6), 0x1E, 1, 0, 0, 0]);
        Assert.Equal(1300, fp.Mss);
        Assert.Equal(6, fp.WindowScale);
        Assert.Equal("mss,ws,?30", RawSig.Layout(fp));
        Assert.Equal(Base | TcpQuirks.Bad, fp.Quirks);
    }
}
