using System.Globalization;
using P0fSharp.Engine.Packets;
using Xunit;

namespace P0fSharp.Engine.Tests;

/// <summary>The culture-free decimal writer behind octets, ports and numeric fields.</summary>
public sealed class DecimalTextTests
{
    [Theory]
    [InlineData(0u)]
    [InlineData(9u)]
    [InlineData(10u)]
    [InlineData(99u)]
    [InlineData(100u)]
    [InlineData(255u)]
    [InlineData(9999u)]
    [InlineData(10000u)]
    [InlineData(65535u)]
    [InlineData(99999u)]
    [InlineData(100000u)]
    [InlineData(999999u)]
    [InlineData(1000000u)]
    [InlineData(4294967295u)]
    public void Writes_what_the_invariant_formatter_writes(uint value)
    {
        string expected = value.ToString(CultureInfo.InvariantCulture);
        Span<char> buffer = stackalloc char[16];
        Assert.True(DecimalText.TryWrite(value, buffer, out int written));
        Assert.Equal(expected, new string(buffer[..written]));

        Span<char> tooSmall = stackalloc char[expected.Length - 1];
        Assert.False(DecimalText.TryWrite(value, tooSmall, out written));
        Assert.Equal(0, written);
    }
}
