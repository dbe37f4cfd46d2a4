using P0fSharp.Engine.Http;
using Xunit;

namespace P0fSharp.Engine.Tests;

public sealed class HttpLanguageTests
{
    [Fact]
    public void Table_has_p0fs_185_codes() => Assert.Equal(185, HttpLanguages.Count);

    [Theory]
    [InlineData("de-DE,de;q=0.8", "German")]
    [InlineData("en", "English")]
    [InlineData("zh-TW", "Chinese")]
    [InlineData("pt_BR", "Portuguese")]
    [InlineData("nb", "Norwegian Bokmal")]
    [InlineData("el", "Modern Greek")]
    [InlineData("zu", "Zulu")]
    [InlineData("aa", "Afar")]
    public void Known_codes(string value, string language)
    {
        byte[] bytes = System.Text.Encoding.Latin1.GetBytes(value);
        Assert.True(HttpLanguages.HasCode(bytes));
        Assert.Equal(language, HttpLanguages.Lookup(bytes[0], bytes[1]));
    }

    [Theory]
    [InlineData("EN")]
    [InlineData("qq")]
    [InlineData("En")]
    [InlineData("zz-ZZ")]
    public void Two_letters_but_unknown(string value)
    {
        byte[] bytes = System.Text.Encoding.Latin1.GetBytes(value);
        Assert.True(HttpLanguages.HasCode(bytes));
        Assert.Null(HttpLanguages.Lookup(bytes[0], bytes[1]));
    }

    [Theory]
    [InlineData("eng")]
    [InlineData("*")]
    [InlineData("e1")]
    [InlineData("e")]
    [InlineData("")]
    [InlineData("1e")]
    [InlineData("e\0n")]
    [InlineData("\u00e9n")]
    public void Not_a_two_letter_code(string value) =>
        Assert.False(HttpLanguages.HasCode(System.Text.Encoding.Latin1.GetBytes(value)));
}
