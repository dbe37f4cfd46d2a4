using System.Text;
using P0fSharp.Signatures.Http;
using P0fSharp.Signatures.Tcp;
using Xunit;

namespace P0fSharp.Signatures.Tests;

/// <summary>data/p0f.fp: the stock p0f 3.09b values, and every line survives parsing intact.</summary>
public sealed class StockDatabaseTests
{
    [Fact]
    public void Loads_322_signatures()
    {
        SignatureDatabase db = TestDb.Stock;
        Assert.Equal(322, db.SignatureCount);
        Assert.Equal(91, db.TcpRequestSignatures.Count);
        Assert.Equal(101, db.TcpResponseSignatures.Count);
        Assert.Equal(25, db.MtuSignatures.Count);
        Assert.Equal(85, db.HttpRequestSignatures.Count);
        Assert.Equal(20, db.HttpResponseSignatures.Count);
        Assert.Equal(["win", "unix", "other"], db.Classes);
        Assert.Equal(9, db.UaOs.Count);
        Assert.Equal(("Solaris", "SunOS"), (db.UaOs[8].Name, db.UaOs[8].SearchString));
    }

    [Fact]
    public void Mtu_links()
    {
        SignatureDatabase db = TestDb.Stock;
        Assert.Equal("Ethernet or modem", db.FindMtuLink(1500));
        Assert.Equal("DSL", db.FindMtuLink(1492));
        Assert.Equal("GIF", db.FindMtuLink(1280));
        Assert.Equal("generic tunnel or VPN", db.FindMtuLink(1440));
        Assert.Null(db.FindMtuLink(1040));
    }

    [Fact]
    public void Header_table_starts_with_p0f_builtins_then_database_headers()
    {
        HttpHeaderTable t = TestDb.Stock.HttpHeaders;
        Assert.Equal(HttpHeaderTable.UserAgent, t.Find("User-Agent"));
        Assert.Equal(HttpHeaderTable.Date, t.Find("Date"));
        Assert.Equal(6, t.Find("Cookie"));
        Assert.Equal(26, t.Find("Host"));
        Assert.Equal(33, t.Find("Accept-Ranges"));
        Assert.Equal(-1, t.Find("user-agent"));
        Assert.Equal(t.Find("Accept-Encoding"), t.Find("Accept-Encoding"u8));
        Assert.True(t.Count > 34);
        Assert.True(t.Request.IsOptional(t.Find("Cookie")));
        Assert.False(t.Response.IsOptional(t.Find("Cookie")));
        Assert.True(t.Response.IsSkipValue(HttpHeaderTable.Server));
        Assert.Equal(["Content-Type", "Connection", "Keep-Alive", "Accept-Ranges", "Date"], t.Response.Common.ToArray().Select(t.GetName));
    }

    [StockDatabaseFact]
    public void Values_equal_the_stock_p0f_database()
    {
        Assert.Equal(ValueLines(TestPaths.StockDatabase), ValueLines(TestPaths.DataDatabase));
    }

    [Fact]
    public void Every_line_round_trips_through_the_parser()
    {
        string classes = "classes = win,unix,other\n";
        string? section = null;
        string? label = null;
        int checkedLines = 0;
        foreach (string raw in File.ReadAllLines(TestPaths.DataDatabase, Encoding.Latin1))
        {
            string line = raw.TrimStart(' ', '\t');
            if (line.Length == 0 || line[0] == ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                section = line;
                continue;
            }

            (string key, string value) = Split(line);
            switch (key)
            {
                case "classes":
                    Assert.Equal(value, string.Join(",", TestDb.Parse(line + "\n").Classes));
                    break;
                case "label":
                    label = value;
                    CheckLabel(classes, section!, value);
                    break;
                case "sys":
                    CheckSys(classes, section!, label!, value);
                    break;
                case "ua_os":
                    SignatureDatabase ua = TestDb.Parse(classes + section + "\nua_os = " + value + "\n");
                    Assert.Equal(value, string.Join(",", ua.UaOs.Select(e => e.SearchString == e.Name ? e.Name : $"{e.Name}=[{e.SearchString}]")));
                    break;
                case "sig":
                    CheckSig(classes, section!, value);
                    break;
                default:
                    Assert.Fail("unexpected key " + key);
                    break;
            }

            checkedLines++;
        }

        Assert.True(checkedLines > 500);
    }

    private static void CheckLabel(string classes, string section, string value)
    {
        SignatureDatabase db = TestDb.Parse(classes + section + "\nlabel = " + value + "\n");
        if (section == "[mtu]")
        {
            return;
        }

        SignatureLabel l = db.Labels[0];
        string rebuilt = $"{(l.IsGeneric ? 'g' : 's')}:{(l.IsApplication ? "!" : l.ClassName)}:{l.Name}:{l.Flavor}";
        Assert.Equal(value, rebuilt);
    }

    private static void CheckSys(string classes, string section, string label, string value)
    {
        SignatureDatabase db = TestDb.Parse(classes + section + "\nlabel = " + label + "\nsys = " + value + "\n");
        string rebuilt = string.Join(",", db.Labels[0].Sys.Select(e => e.IsClass ? "@" + db.Classes[e.Id] : db.Names[e.Id]));
        Assert.Equal(value, rebuilt);
    }

    private static void CheckSig(string classes, string section, string value)
    {
        string prefix = section switch
        {
            "[mtu]" => "[mtu]\nlabel = link\n",
            "[http:request]" or "[http:response]" => classes + section + "\nlabel = s:!:X:\nsys = @unix\n",
            _ => classes + section + "\nlabel = s:unix:X:\n",
        };

        SignatureDatabase db = TestDb.Parse(prefix + "sig = " + value + "\n");
        Assert.Equal(1, db.SignatureCount);
        string rebuilt = section switch
        {
            "[mtu]" => db.MtuSignatures[0].Mtu.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "[tcp:request]" => db.TcpRequestSignatures[0].ToString(),
            "[tcp:response]" => db.TcpResponseSignatures[0].ToString(),
            "[http:request]" => db.HttpRequestSignatures[0].ToString(),
            _ => db.HttpResponseSignatures[0].ToString(),
        };
        Assert.Equal(value, rebuilt);

        // The stock values live in the matching lists of the full database too.
        SignatureDatabase stock = TestDb.Stock;
        bool present = section switch
        {
            "[mtu]" => stock.MtuSignatures.Any(m => m.Mtu.ToString(System.Globalization.CultureInfo.InvariantCulture) == value),
            "[tcp:request]" => stock.TcpRequestSignatures.Any(s => s.ToString() == value),
            "[tcp:response]" => stock.TcpResponseSignatures.Any(s => s.ToString() == value),
            "[http:request]" => stock.HttpRequestSignatures.Any(s => s.ToString() == value),
            _ => stock.HttpResponseSignatures.Any(s => s.ToString() == value),
        };
        Assert.True(present, value);
    }

    private static (string Key, string Value) Split(string line)
    {
        int eq = line.IndexOf('=', StringComparison.Ordinal);
        return (line[..eq].TrimEnd(' ', '\t'), line[(eq + 1)..].TrimStart(' ', '\t'));
    }

    private static List<string> ValueLines(string path)
        => File.ReadAllLines(path, Encoding.Latin1)
            .Where(l => l.TrimStart(' ', '\t').Length > 0 && !l.TrimStart(' ', '\t').StartsWith(';'))
            .ToList();
}
