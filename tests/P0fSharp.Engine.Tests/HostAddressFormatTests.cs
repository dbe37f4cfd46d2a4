using P0fSharp.Engine.Packets;
using Xunit;

namespace P0fSharp.Engine.Tests;

/// <summary>p0f's text form of addresses: eight uncompressed lower-case hex groups without leading zeros.</summary>
public sealed class HostAddressFormatTests
{
    [Theory]
    [InlineData("2001:db8::1", "2001:db8:0:0:0:0:0:1")]
    [InlineData("::", "0:0:0:0:0:0:0:0")]
    [InlineData("fe80::f:10:abc:ffff", "fe80:0:0:0:f:10:abc:ffff")]
    [InlineData("1000:100:10:1:9:a0:b00:c000", "1000:100:10:1:9:a0:b00:c000")]
    [InlineData("192.0.2.255", "192.0.2.255")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    public void Formats_like_p0f(string address, string expected)
    {
        var a = HostAddress.Parse(address);
        Assert.Equal(expected, a.ToString());
        Span<char> small = stackalloc char[expected.Length - 1];
        Assert.False(a.TryFormat(small, out _));
    }
}
