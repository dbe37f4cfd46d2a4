using System.Text;
using P0fSharp.Signatures.Tcp;
using Xunit;

namespace P0fSharp.Signatures.Tests;

/// <summary>
/// Parser details checked one by one against the real p0f 3.09b (each expectation below was
/// produced by running p0f on the same database text).
/// </summary>
public sealed class ParserBehaviourTests
{
    [Fact]
    public void Bad_ttl_form_swallows_the_first_olen_character()
    {
        Assert.Equal(0, TestDb.Tcp("4:64-:4:1200:*,0:mss::0").TcpRequestSignatures[0].IpOptionLength);
        TcpSignature sig = TestDb.Tcp("4:64-:12:1200:*,0:mss::0").TcpRequestSignatures[0];
        Assert.True(sig.BadTtl);
        Assert.Equal(2, sig.IpOptionLength);
        Assert.Equal(64, sig.Ttl);
    }

    [Fact]
    public void Minus_not_followed_by_colon_is_just_a_separator()
    {
        TcpSignature sig = TestDb.Tcp("4:64-0:*:*,*:mss::0").TcpRequestSignatures[0];
        Assert.False(sig.BadTtl);
        Assert.Equal(0, sig.IpOptionLength);
    }

    [Fact]
    public void Trailing_bad_ttl_reads_past_the_line_and_fails()
        => Assert.Equal("Malformed signature in line 4.", TestDb.Error(TestDb.Classes + "[tcp:request]\nlabel = s:unix:A:\nsig = 4:64-:").Reason);

    [Fact]
    public void Ttl_plus_distance_is_summed()
    {
        Assert.Equal(64, TestDb.Tcp("4:50+14:0:*:*,*:mss::0").TcpRequestSignatures[0].Ttl);
        Assert.Equal(64, TestDb.Tcp("4:64+:0:*:*,*:mss::0").TcpRequestSignatures[0].Ttl);
        Assert.Equal("Bogus initial TTL in line 4.", TestDb.Error(TestDb.Classes + "[tcp:request]\nlabel = s:unix:A:\nsig = 4:64+192:0:*:*,*:mss::0\n").Reason);
    }

    [Fact]
    public void Numbers_follow_atol_and_32_bit_truncation()
    {
        // atol() accepts a sign: "+14" then "+14" again as the distance -> 28.
        Assert.Equal(28, TestDb.Tcp("4:+14:0:*:*,*:mss::0").TcpRequestSignatures[0].Ttl);

        // 2^32 + 64 wraps to 64.
        Assert.Equal(64, TestDb.Tcp("4:4294967360:0:*:*,*:mss::0").TcpRequestSignatures[0].Ttl);

        // 255 + INT_MAX overflows past the range check and ends up as 254 in a u8.
        Assert.Equal(254, TestDb.Tcp("4:255+2147483647:0:*:*,*:mss::0").TcpRequestSignatures[0].Ttl);

        // Saturates at LONG_MAX, whose low 32 bits are -1.
        Assert.Equal("Bogus initial TTL in line 4.", TestDb.Error(TestDb.Classes + "[tcp:request]\nlabel = s:unix:A:\nsig = 4:99999999999999999999999:0:*:*,*:mss::0\n").Reason);

        // A negative TTL that wraps to 64 is accepted, then the digits are read again as olen.
        Assert.Equal("Bogus IP option length in line 4.", TestDb.Error(TestDb.Classes + "[tcp:request]\nlabel = s:unix:A:\nsig = 4:-4294967232:0:*:*,*:mss::0\n").Reason);

        // MTU values wrap the same way.
        Assert.Equal("X", TestDb.Parse("[mtu]\nlabel = X\nsig = 4294968796\n").FindMtuLink(1500));
    }

    [Fact]
    public void Tcp_signature_fields_are_parsed()
    {
        TcpSignature sig = TestDb.Tcp("*:128:4:1460:mtu*3,8:mss,nop,?30,ts,eol+7:df,id+,ecn:+").TcpRequestSignatures[0];
        Assert.Equal(-1, sig.IpVersion);
        Assert.Equal(128, sig.Ttl);
        Assert.Equal(4, sig.IpOptionLength);
        Assert.Equal(1460, sig.Mss);
        Assert.Equal(TcpWindowType.Mtu, sig.WindowType);
        Assert.Equal(3, sig.WindowValue);
        Assert.Equal(8, sig.WindowScale);
        Assert.Equal(5, sig.Layout.Count);
        Assert.Equal(30, sig.Layout[2]);
        Assert.Equal(0, sig.Layout[4]);
        Assert.Equal(7, sig.EolPadding);
        Assert.Equal(TcpQuirks.Df | TcpQuirks.IdPlus | TcpQuirks.Ecn, sig.Quirks);
        Assert.Equal(1, sig.PayloadClass);
        Assert.Equal(4, sig.Line);
        Assert.Equal("*:128:4:1460:mtu*3,8:mss,nop,?30,ts,eol+7:df,id+,ecn:+", sig.ToString());
    }

    [Theory]
    [InlineData("4:64:0:*:*,*:eol+:0", "Unrecognized quirk in line 4.")]
    [InlineData("4:64:0:*:*,*:eol+1", "Truncated options in line 4.")]
    [InlineData("4:64:0:*:*,*:eol", "Malformed EOL option in line 4.")]
    [InlineData("4:64:0:*:*,*:?256::0", "Bogus '?' option in line 4.")]
    [InlineData("4:64:0:*:*,*:mssx::0", "Malformed TCP options in line 4.")]
    [InlineData("4:64:0:*:*,*:mss:dfx:0", "Malformed quirks in line 4.")]
    [InlineData("4:64:0:*:*,*:,:df:0", "Unrecognized TCP option in line 4.")]
    [InlineData("4:64:0:*:65536,*:mss::0", "Bogus window size in line 4.")]
    [InlineData("4:64:0:65536:*,*:mss::0", "Bogus MSS in line 4.")]
    [InlineData("4:64:256:*:*,*:mss::0", "Bogus IP option length in line 4.")]
    [InlineData("4:64:0:*:*,256:mss::0", "Bogus window scale in line 4.")]
    [InlineData("4:64:0:*:mtu*1001,*:mss::0", "Bogus MSS/MTU multiplier in line 4.")]
    [InlineData("4:64:0:*:%65536,*:mss::0", "Bogus '%' value in line 4.")]
    [InlineData("4:64+x:0:*:*,*:mss::0", "Malformed signature in line 4.")]
    [InlineData("4", "Malformed signature in line 4.")]
    [InlineData("4:64:0:*:*,*:mss::", "Malformed payload class in line 4.")]
    [InlineData("6:64:0:*:*,*:mss:id-:0", "'id-' is not valid for IPv6 in line 4.")]
    [InlineData("6:64:0:*:*,*:mss:0+:0", "'0+' is not valid for IPv6 in line 4.")]
    public void Tcp_signature_errors(string sig, string reason)
    {
        SignatureDatabaseException ex = TestDb.Error(TestDb.Classes + "[tcp:request]\nlabel = s:unix:A:\nsig = " + sig + "\n");
        Assert.Equal(reason, ex.Reason);
        Assert.Equal(4, ex.Line);
        Assert.Equal("test.fp:4: " + reason, ex.Message);
    }

    [Theory]
    [InlineData("4:64:0:*:*,*:mss::0", "4:64:0:1460:*,*:mss::0", false)]
    [InlineData("4:64:0:1460:*,*:mss::0", "4:64:0:*:*,*:mss::0", true)]
    [InlineData("*:64:0:*:*,*:mss:df:0", "6:64:0:*:*,*:mss::0", false)]
    [InlineData("*:64:0:*:*,*:mss:df:0", "4:64:0:*:*,*:mss:df:0", false)]
    [InlineData("4:64:0:1460:mss*2,*:mss::0", "4:64:0:1460:2920,*:mss::0", false)]
    [InlineData("4:64:0:1460:*,*:mss::0", "4:64:0:1460:mss*2,*:mss::0", true)]
    [InlineData("4:64:0:1460:%2,*:mss::0", "4:64:0:1460:2920,*:mss::0", false)]
    [InlineData("4:64:0:1460:mtu*2,*:mss::0", "4:64:0:1460:3000,*:mss::0", false)]
    [InlineData("4:64-:0:*:*,*:mss::0", "4:10:0:*:*,*:mss::0", false)]
    [InlineData("4:64:0:*:*,*:mss:df,id+:0", "4:64:0:*:*,*:mss::0", true)]
    [InlineData("4:64:0:*:*,*:mss:ecn:0", "4:64:0:*:*,*:mss::0", true)]
    [InlineData("4:64:0:*:*,*:mss::0", "4:60:0:*:*,*:mss::0", false)]
    [InlineData("4:64:0:*:*,*:mss::0", "4:70:0:*:*,*:mss::0", true)]
    [InlineData("4:64:0:*:*,*:mss::*", "4:64:0:*:*,*:mss::+", false)]
    public void Duplicate_detection(string first, string second, bool accepted)
    {
        string text = TestDb.Classes + "[tcp:request]\nlabel = s:unix:A:\nsig = " + first + "\nsig = " + second + "\n";
        if (accepted)
        {
            Assert.Equal(2, TestDb.Parse(text).SignatureCount);
        }
        else
        {
            SignatureDatabaseException ex = TestDb.Error(text);
            Assert.Equal("Signature in line 5 is already covered by line 4.", ex.Reason);
            Assert.Equal(5, ex.Line);
        }
    }

    [Fact]
    public void Generic_signatures_never_cover_later_ones()
    {
        SignatureDatabase db = TestDb.Parse(TestDb.Classes + "[tcp:request]\nlabel = g:unix:A:\nsig = *:64:0:*:*,*:mss::0\nlabel = s:unix:B:\nsig = *:64:0:*:*,*:mss::0\n");
        Assert.Equal(2, db.SignatureCount);
        Assert.True(db.TcpRequestSignatures[0].Label.IsGeneric);
    }

    [Theory]
    [InlineData("1:?Host::", "1:Host::", false)]
    [InlineData("1:Host::", "1:?Host::", true)]
    [InlineData("1:Host=[a]::", "1:Host=[ab]::", false)]
    [InlineData("1:Host=[ab]::", "1:Host=[a]::", true)]
    [InlineData("*:Host::", "1:Host::", false)]
    [InlineData("1:Host::", "*:Host::", true)]
    [InlineData("1:A,B::", "1:B,A::", true)]
    [InlineData("1:A,?B,C::", "1:A,C::", false)]
    [InlineData("1:A,C::", "1:A,?B,C::", false)]
    [InlineData("1:A::B", "1:A::C", false)]
    [InlineData("1:A:B:", "1:A,?B::", true)]
    [InlineData("1:A::", "1:A,?B:B:", false)]
    [InlineData("1:A:B:", "1:A:C:", true)]
    [InlineData("1:Host,User-Agent::", "1:Host::", true)]
    [InlineData("1:Host::", "1:Host,User-Agent::", false)]
    public void Http_duplicate_detection(string first, string second, bool accepted)
    {
        string text = "classes = unix\n[http:request]\nlabel = s:!:X:\nsys = @unix\nsig = " + first + "\nsig = " + second + "\n";
        if (accepted)
        {
            Assert.Equal(2, TestDb.Parse(text).SignatureCount);
        }
        else
        {
            Assert.Equal("Signature in line 6 is already covered by line 5.", TestDb.Error(text).Reason);
        }
    }

    [Theory]
    [InlineData("[mtu] \n", "Malformed section identifier in line 1.")]
    [InlineData("[mtu:request]\n", "Unrecognized fingerprinting module 'mtu' in line 1.")]
    [InlineData("[tcp:request] \n", "Unrecognized traffic direction in line 1.")]
    [InlineData("[:]\n", "Unrecognized fingerprinting module '' in line 1.")]
    [InlineData("= x\n", "Unexpected statement in line 1.")]
    [InlineData("lab el = x\n", "Unexpected statement in line 1.")]
    [InlineData("Label = x\n", "Unrecognized field 'Label' in line 1.")]
    [InlineData("sig\t=\tx\n", "Misplaced 'sig' in line 1.")]
    [InlineData("classes = a b\n", "Malformed class entry in line 1.")]
    [InlineData("\r\n", "Unexpected statement in line 1.")]
    [InlineData("[http:request]\nua_os = A=x\n", "Missing '[' after '=' in line 2.")]
    [InlineData("[http:request]\nua_os = A=[]\n", "Malformed signature in line 2.")]
    [InlineData("[http:request]\nua_os = ,A\n", "Malformed system name in line 2.")]
    [InlineData("[http:response]\nua_os = A\n", "misplaced 'us_os' in line 2.")]
    [InlineData("classes = unix\n[tcp:request]\nlabel = s:!:T:\nsys = A,\n", "Malformed sys entry in line 4.")]
    [InlineData("classes = unix\n[tcp:request]\nlabel = s:!:T:\nsys = @unix @win\n", "Malformed sys entry in line 4.")]
    [InlineData("classes = unix\n[tcp:request]\nlabel = s:!x:A:\n", "Unknown class '!x' in line 3.")]
    [InlineData("classes = unix\n[tcp:request]\nlabel = s::A:\n", "Malformed class entry in line 3.")]
    [InlineData("classes = unix\n[tcp:request]\nlabel = s:unix:A\n", "Malformed name in line 3.")]
    [InlineData("classes = unix\n[tcp:request]\nlabel = s:!:A:\nlabel = s:!:B:\n", "misplaced 'label' in line 4.")]
    [InlineData("[mtu]\nlabel = x\nsig = 0\n", "Malformed MTU value in line 3.")]
    [InlineData("[mtu]\nlabel = x\nsig = 65536\n", "Malformed MTU value in line 3.")]
    [InlineData("classes = unix\n[http:request]\nlabel = s:!:X:\nsys = @unix\nsig = 1:Host,,A::\n", "Malformed header name in line 5.")]
    [InlineData("classes = unix\n[http:request]\nlabel = s:!:X:\nsys = @unix\nsig = 1:Host=[a]x::\n", "Malformed signature in line 5.")]
    [InlineData("classes = unix\n[http:request]\nlabel = s:!:X:\nsys = @unix\nsig =\n", "Malformed signature in line 5.")]
    public void Statement_errors(string text, string reason) => Assert.Equal(reason, TestDb.Error(text).Reason);

    [Fact]
    public void Empty_mtu_label_reports_the_extra_newline()
    {
        SignatureDatabaseException ex = TestDb.Error("[mtu]\nlabel =\nsig = 1500\n");
        Assert.Equal("Empty MTU label in line 2.", ex.Reason);
        Assert.True(ex.ReasonEndsWithNewline);
    }

    [Fact]
    public void Crlf_fails_on_the_first_statement()
        => Assert.Equal("Malformed class entry in line 1.", TestDb.Error("classes = win,unix\r\n[tcp:request]\r\n").Reason);

    [Fact]
    public void Nul_byte_ends_the_file()
    {
        SignatureDatabase db = TestDb.Parse("classes = unix\n[tcp:request]\nlabel = s:unix:A:\nsig = *:64:0:*:*,*:mss::0\0garbage\nnonsense\n");
        Assert.Equal(1, db.SignatureCount);
    }

    [Fact]
    public void Empty_content_and_comments_only_give_no_signatures()
    {
        Assert.Equal(0, SignatureDatabase.Parse([], "empty.fp").SignatureCount);
        Assert.Equal(0, TestDb.Parse("; comment\n   ; indented\n\t\n\n").SignatureCount);
        Assert.Equal(0, TestDb.Parse("classes = \n").SignatureCount);
    }

    [Fact]
    public void Bytes_are_read_as_latin1_and_flavors_kept_verbatim()
    {
        byte[] text = Encoding.Latin1.GetBytes("classes = unix\n[tcp:request]\nlabel = s:unix:A:caf\u00e9: x \nsig = *:64:0:*:*,*:mss::0\n");
        SignatureLabel label = SignatureDatabase.Parse(text, "x.fp").Labels[0];
        Assert.Equal("caf\u00e9: x ", label.Flavor);
        Assert.Equal("A caf\u00e9: x ", label.Display);
    }

    [Fact]
    public void Labels_intern_names_case_insensitively_and_count_ids()
    {
        SignatureDatabase db = TestDb.Parse(
            "classes = win,UNIX\n[tcp:request]\nlabel = s:unix:Linux:\nsig = *:64:0:*:*,*:mss::0\n" +
            "label = g:Unix:LINUX:2.x\nsig = *:64:0:*:*,*:nop::0\n" +
            "[mtu]\nlabel = Eth\nsig = 1500\n" +
            "[tcp:response]\nlabel = s:!:tool:\nsys = linux,@WIN, Other \nsig = *:64:0:*:*,*:mss::0\n");

        SignatureLabel first = db.Labels[0];
        SignatureLabel second = db.Labels[1];
        SignatureLabel app = db.Labels[2];

        Assert.Equal(1, first.LabelId);
        Assert.Equal(2, second.LabelId);
        Assert.Equal(3, app.LabelId);
        Assert.Null(first.Flavor);
        Assert.Equal("Linux", first.Display);
        Assert.Equal(first.NameId, second.NameId);
        Assert.Equal("Linux 2.x", second.Display);
        Assert.True(second.IsGeneric);
        Assert.Equal(1, second.ClassId);
        Assert.Equal("UNIX", second.ClassName);
        Assert.True(app.IsApplication);
        Assert.Null(app.ClassName);
        Assert.Equal("!", db.GetClassName(-1));
        Assert.Equal([new SysEntry(false, first.NameId), new SysEntry(true, 0), new SysEntry(false, 2)], app.Sys);
        Assert.Equal("Other ", db.GetName(2));
        Assert.Equal(4, db.SignatureCount);
    }

    [Fact]
    public void Os_labels_inherit_the_last_sys_list()
    {
        SignatureDatabase db = TestDb.Parse(
            "classes = unix\n[tcp:request]\nlabel = s:!:T:\nsys = @unix\nsig = *:64:0:*:*,*:mss::0\n" +
            "label = s:unix:L:\nsig = *:64:0:*:*,*:nop::0\n");
        Assert.Equal([new SysEntry(true, 0)], db.Labels[1].Sys);
    }

    [Fact]
    public void Names_of_256_bytes_or_more_wrap_their_length_like_p0f()
    {
        // p0f keeps (length mod 256) bytes of a label name.
        SignatureDatabase db = TestDb.Parse("classes = unix\n[tcp:request]\nlabel = s:unix:" + new string('B', 300) + ":x\nsig = *:64:0:*:*,*:mss::0\n");
        Assert.Equal(new string('B', 44), db.Labels[0].Name);
    }

    [Fact]
    public void Mtu_lookup_takes_the_first_entry()
    {
        SignatureDatabase db = TestDb.Parse("[mtu]\nlabel = first\nsig = 1500\nlabel = second\nsig = 1500\nsig = 9000\n");
        Assert.Equal(3, db.SignatureCount);
        Assert.Equal("first", db.FindMtuLink(1500));
        Assert.Equal("second", db.FindMtuLink(9000));
        Assert.Null(db.FindMtuLink(1280));
    }

    [Fact]
    public void Ua_os_entries_keep_file_order_and_first_spelling()
    {
        SignatureDatabase db = TestDb.Parse(
            "classes = unix\n[http:request]\nua_os = Linux,iOS=[iPad],ios=[iPhone],A=[x]B, Lead\n" +
            "label = s:!:linux:\nsys = @unix\nsig = 1:Host::\n");
        Assert.Collection(
            db.UaOs,
            e => Assert.Equal(("Linux", "Linux"), (e.Name, e.SearchString)),
            e => Assert.Equal(("iOS", "iPad"), (e.Name, e.SearchString)),
            e => Assert.Equal(("iOS", "iPhone"), (e.Name, e.SearchString)),
            e => Assert.Equal(("A", "x"), (e.Name, e.SearchString)),
            e => Assert.Equal(("B", "B"), (e.Name, e.SearchString)),
            e => Assert.Equal((" Lead", " Lead"), (e.Name, e.SearchString)));
        Assert.Equal(db.UaOs[1].NameId, db.UaOs[2].NameId);
        Assert.Equal("Linux", db.HttpRequestSignatures[0].Label.Name);
    }

    [Fact]
    public void Missing_file_is_a_system_error()
    {
        string path = Path.Combine(Path.GetTempPath(), "p0fsharp-does-not-exist-" + Guid.NewGuid().ToString("N") + ".fp");
        var ex = Assert.Throws<SignatureDatabaseException>(() => SignatureDatabase.Load(path));
        Assert.Equal($"Cannot open '{path}' for reading.", ex.Reason);
        Assert.True(ex.IsSystemError);
        Assert.Equal("No such file or directory", ex.OsMessage);
        Assert.Equal(0, ex.Line);
        Assert.Equal(path, ex.FileName);
    }

    [Fact]
    public void Directory_is_a_short_read()
    {
        string dir = Path.GetTempPath().TrimEnd('/');
        var ex = Assert.Throws<SignatureDatabaseException>(() => SignatureDatabase.Load(dir));
        Assert.Equal($"Short read from '{dir}'.", ex.Reason);
        Assert.False(ex.IsSystemError);
    }
}
