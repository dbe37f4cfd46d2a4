using System.Globalization;
using P0fSharp.Engine.Http;
using P0fSharp.Engine.Tests.Support;
using Xunit;

namespace P0fSharp.Engine.Tests;

/// <summary>
/// The Date: parser against glibc: Data/http_dates.txt holds what
/// <c>strptime("%a, %d %b %Y %H:%M:%S %Z")</c> + <c>mktime</c> (tm_isdst positive, as in
/// p0f; TZ=UTC) returned for 415 valid, odd and mutated strings (Oracle/dates.c).
/// </summary>
public sealed class HttpDateTests
{
    public static TheoryData<uint, string> Corpus()
    {
        var data = new TheoryData<uint, string>();
        foreach (string line in File.ReadLines(TestPaths.Data("http_dates.txt")))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            string[] parts = line.Split('\t');
            data.Add(uint.Parse(parts[0], CultureInfo.InvariantCulture), parts[1]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Matches_glibc(uint expected, string hex)
    {
        byte[] text = Convert.FromHexString(hex);
        Assert.Equal(expected, HttpDate.Parse(text, TimeZoneInfo.Utc));
    }

    [Theory]
    [InlineData("Tue, 14 Nov 2023 22:13:20 GMT", 1_700_000_000u - 3600)]
    [InlineData("Thu, 01 Jan 1970 01:00:00 GMT", 0u)]
    [InlineData("Thu, 01 Jan 1970 00:00:00 GMT", unchecked((uint)-3600))]
    [InlineData("Tue, 14 Nov 2023 22:13:20 junk after the zone", 1_700_000_000u - 3600)]
    [InlineData("tuesday,14 NOVEMBER 2023 22:13:20", 1_700_000_000u - 3600)]
    [InlineData("Tue, 31 Feb 2023 22:13:60", 1_677_881_640u - 3600)]
    [InlineData(" Tue, 14 Nov 2023 22:13:20 GMT", 0u)]
    [InlineData("Tues, 14 Nov 2023 22:13:20 GMT", 0u)]
    [InlineData("Tue, 14 Nov 2023 24:00:00 GMT", 0u)]
    [InlineData("", 0u)]
    public void Examples(string text, uint expected) =>
        Assert.Equal(expected, HttpDate.Parse(System.Text.Encoding.Latin1.GetBytes(text), TimeZoneInfo.Utc));

    [Fact]
    public void Value_ends_at_a_nul_byte()
    {
        Assert.Equal(0u, HttpDate.Parse("Tue, 14 Nov\0 2023 22:13:20"u8, TimeZoneInfo.Utc));
        Assert.Equal(1_700_000_000u - 3600, HttpDate.Parse("Tue, 14 Nov 2023 22:13:20\0x"u8, TimeZoneInfo.Utc));
    }

    /// <summary>glibc's answers with TZ set to these zones (Oracle/dates.c, tm_isdst positive).</summary>
    [Theory]
    [InlineData("Europe/Berlin", "Tue, 14 Nov 2023 22:13:20 GMT", 1699992800u)]
    [InlineData("Europe/Berlin", "Sat, 01 Jul 2023 12:00:00 GMT", 1688205600u)]
    [InlineData("Europe/Berlin", "Sun, 26 Mar 2023 01:30:00", 1679787000u)]
    [InlineData("Europe/Berlin", "Sun, 26 Mar 2023 03:30:00", 1679794200u)]
    [InlineData("Europe/Berlin", "Sun, 29 Oct 2023 03:30:00", 1698543000u)]
    [InlineData("Europe/Berlin", "Thu, 01 Jan 1970 00:00:00", 4294960096u)]
    [InlineData("America/New_York", "Tue, 14 Nov 2023 22:13:20 GMT", 1700014400u)]
    [InlineData("America/New_York", "Sat, 01 Jul 2023 12:00:00 GMT", 1688227200u)]
    [InlineData("America/New_York", "Thu, 01 Jan 1970 00:00:00", 14400u)]
    public void Local_zone_reads_the_time_as_daylight_time(string zoneId, string text, uint expected)
    {
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (TimeZoneNotFoundException)
        {
            return;
        }

        Assert.Equal(expected, HttpDate.Parse(System.Text.Encoding.Latin1.GetBytes(text), zone));
    }

    [Fact]
    public void Differences_do_not_depend_on_the_zone()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("Plus5", TimeSpan.FromHours(5), "Plus5", "Plus5");
        uint a = HttpDate.Parse("Tue, 14 Nov 2023 22:13:20 GMT"u8, zone);
        uint b = HttpDate.Parse("Tue, 14 Nov 2023 23:13:25 GMT"u8, zone);
        Assert.Equal(3605u, b - a);
        Assert.Equal(1_700_000_000u - 3600 - (5 * 3600), a);
    }
}
