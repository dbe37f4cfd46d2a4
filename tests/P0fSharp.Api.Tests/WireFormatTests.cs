using System.Buffers.Binary;
using P0fSharp.Api.Tests.Support;
using P0fSharp.Engine.Hosts;
using P0fSharp.Engine.Packets;
using Xunit;

namespace P0fSharp.Api.Tests;

/// <summary>The pure 21-byte query / 232-byte answer codec (spec §7.2).</summary>
public sealed class WireFormatTests
{
    /// <summary>Raw answer of the real p0f 3.09b for 127.0.0.5 (vectors/out/api_test.txt).</summary>
    internal const string P0fAnswer127_0_0_5 = """
        0000: 02 46 30 50 10 00 00 00 50 75 06 6b 52 75 06 6b
        0010: 02 00 00 00 12 00 00 00 37 00 00 00 00 00 00 00
        0020: 00 00 00 00 04 00 00 00 4c 69 6e 75 78 00 00 00
        0030: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        0040: 00 00 00 00 00 00 00 00 33 2e 31 31 20 61 6e 64
        0050: 20 6e 65 77 65 72 00 00 00 00 00 00 00 00 00 00
        0060: 00 00 00 00 00 00 00 00 46 69 72 65 66 6f 78 00
        0070: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        0080: 00 00 00 00 00 00 00 00 31 30 2e 78 20 6f 72 20
        0090: 6e 65 77 65 72 00 00 00 00 00 00 00 00 00 00 00
        00a0: 00 00 00 00 00 00 00 00 44 53 4c 00 00 00 00 00
        00b0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00c0: 00 00 00 00 00 00 00 00 46 72 65 6e 63 68 00 00
        00d0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00e0: 00 00 00 00 00 00 00 00
        """;

    private static byte[] Answer(in HostSnapshot host, ApiStatus status = ApiStatus.Ok)
    {
        byte[] r = new byte[ApiProtocol.ResponseSize];
        r.AsSpan().Fill(0xAA); // the writer must clear what it does not set
        ApiResponse.Write(r, status, host);
        return r;
    }

    private static byte[] Field(byte[] response, int offset) => response.AsSpan(offset, 32).ToArray();

    [Fact]
    public void Ok_answer_is_byte_identical_to_p0f_for_127_0_0_5()
    {
        byte[] expected = Queries.FromDump(P0fAnswer127_0_0_5);
        Assert.Equal(232, expected.Length);
        Assert.Equal(Queries.Hex(expected), Queries.Hex(Answer(FakeLookup.Host127_0_0_5)));
    }

    [Theory]
    [InlineData(ApiStatus.NoMatch, "0246305020000000")]
    [InlineData(ApiStatus.BadQuery, "0246305000000000")]
    public void NoMatch_and_BadQuery_are_magic_status_and_224_zero_bytes(ApiStatus status, string head)
    {
        byte[] r = new byte[ApiProtocol.ResponseSize];
        r.AsSpan().Fill(0x55);
        ApiResponse.Write(r, status);
        Assert.Equal(head + new string('0', 224 * 2), Queries.Hex(r));
    }

    [Fact]
    public void Names_of_32_bytes_or_more_fill_the_field_without_NUL()
    {
        var host = new HostSnapshot
        {
            OsName = "AnOperatingSystemNameLongerThan32Bytes", // as in vector 127.0.0.7
            OsFlavor = "and a flavour that is also longer than 32 bytes, 52b",
            HttpName = new string('h', 32),
            HttpFlavor = new string('f', 31),
            LinkType = new string('l', 33),
        };
        byte[] r = Answer(host);
        Assert.Equal("AnOperatingSystemNameLongerThan3"u8.ToArray(), Field(r, 40));
        Assert.Equal("and a flavour that is also longe"u8.ToArray(), Field(r, 72));
        Assert.Equal(new string('h', 32).Select(c => (byte)c).ToArray(), Field(r, 104));
        Assert.Equal([.. new string('f', 31).Select(c => (byte)c), (byte)0], Field(r, 136));
        Assert.Equal(new string('l', 32).Select(c => (byte)c).ToArray(), Field(r, 168));
        Assert.All(Field(r, 200), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Flavors_are_written_only_when_the_name_exists()
    {
        byte[] r = Answer(new HostSnapshot { OsFlavor = "orphan", HttpFlavor = "orphan too", LinkType = "DSL" });
        Assert.All(r.AsSpan(40, 128).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal((byte)'D', r[168]);

        byte[] empty = Answer(new HostSnapshot { OsName = "", OsFlavor = "x" });
        Assert.Equal((byte)'x', empty[72]);
    }

    [Fact]
    public void Strings_are_Latin1_bytes_and_stop_at_NUL()
    {
        byte[] r = Answer(new HostSnapshot { OsName = "Caf\u00e9\u00ff", Language = "ab\0cd", LinkType = "\u20ac" });
        Assert.Equal(new byte[] { 0x43, 0x61, 0x66, 0xE9, 0xFF, 0 }, r.AsSpan(40, 6).ToArray());
        Assert.Equal(new byte[] { (byte)'a', (byte)'b', 0, 0, 0 }, r.AsSpan(200, 5).ToArray());
        Assert.Equal((byte)'?', r[168]);
    }

    [Theory]
    [InlineData((short)255, 0xFF, 0x00)]
    [InlineData((short)-1, 0xFF, 0xFF)]
    [InlineData((short)55, 0x37, 0x00)]
    public void Distance_is_a_little_endian_s16(short distance, byte lo, byte hi)
    {
        byte[] r = Answer(new HostSnapshot { Distance = distance, BadSoftware = 2, OsMatchQuality = 3 });
        Assert.Equal(new byte[] { lo, hi, 2, 3 }, r.AsSpan(36, 4).ToArray());
    }

    [Fact]
    public void All_integer_fields_land_at_their_offsets()
    {
        byte[] r = Answer(new HostSnapshot
        {
            FirstSeen = 0x01020304,
            LastSeen = 0x05060708,
            TotalConnections = 0x090A0B0C,
            UptimeMinutes = 0x0D0E0F10,
            UptimeModuloDays = 0x11121314,
            LastNat = 0x15161718,
            LastChange = 0x191A1B1C,
        });
        uint[] expected = [0x50304602, 0x10, 0x01020304, 0x05060708, 0x090A0B0C, 0x0D0E0F10, 0x11121314, 0x15161718, 0x191A1B1C];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], BinaryPrimitives.ReadUInt32LittleEndian(r.AsSpan(i * 4)));
        }
    }

    [Fact]
    public void Write_rejects_a_short_buffer()
    {
        Assert.Throws<ArgumentException>(() => ApiResponse.Write(new byte[231], ApiStatus.NoMatch));
    }

    [Fact]
    public void IPv4_query_ignores_bytes_4_to_15_of_the_address()
    {
        byte[] addr = [127, 0, 0, 5, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4, 5, 6, 7, 8];
        Assert.True(ApiQuery.TryParse(Queries.Raw(ApiProtocol.QueryMagic, 4, addr), out ApiQuery q, out ApiQueryError err));
        Assert.Equal(ApiQueryError.None, err);
        Assert.Equal(HostAddress.Parse("127.0.0.5"), q.Address);
        Assert.Equal(4, q.AddressType);
    }

    [Fact]
    public void IPv6_query_uses_all_16_bytes()
    {
        Assert.True(ApiQuery.TryParse(Queries.For("2001:db8::1:2"), out ApiQuery q, out _));
        Assert.Equal(HostAddress.Parse("2001:db8::1:2"), q.Address);
        Assert.Equal(6, q.Address.Version);
    }

    [Fact]
    public void Bad_magic_is_checked_before_the_address_type()
    {
        Assert.False(ApiQuery.TryParse(Queries.Raw(0x12345678, 5, new byte[16]), out ApiQuery q, out ApiQueryError err));
        Assert.Equal(ApiQueryError.BadMagic, err);
        Assert.Equal(0x12345678u, q.Magic);
        Assert.Equal("Query with bad magic (0x12345678).", ApiProtocol.WarningFor(q, err));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(255)]
    public void Unknown_address_type_is_a_bad_query(byte type)
    {
        Assert.False(ApiQuery.TryParse(Queries.Raw(ApiProtocol.QueryMagic, type, new byte[16]), out ApiQuery q, out ApiQueryError err));
        Assert.Equal(ApiQueryError.UnknownAddressType, err);
        Assert.Equal($"Query with unknown address type {type}.\n", ApiProtocol.WarningFor(q, err));
    }

    [Fact]
    public void TryParse_insists_on_21_bytes()
    {
        Assert.Throws<ArgumentException>(() => ApiQuery.TryParse(new byte[20], out _, out _));
        Assert.Throws<ArgumentException>(() => ApiQuery.TryParse(new byte[22], out _, out _));
    }

    [Fact]
    public void Answer_covers_ok_nomatch_and_bad_without_allocating()
    {
        var lookup = FakeLookup.Standard();
        byte[] known = Queries.For("127.0.0.5");
        byte[] unknown = Queries.For("127.0.0.99");
        byte[] v6 = Queries.For("::1");
        byte[] bad = Queries.Raw(1, 4, new byte[16]);
        byte[] r = new byte[ApiProtocol.ResponseSize];

        Assert.Equal(ApiStatus.Ok, ApiProtocol.Answer(known, r, lookup, out _, out _));
        Assert.Equal(Queries.Hex(Queries.FromDump(P0fAnswer127_0_0_5)), Queries.Hex(r));
        Assert.Equal(ApiStatus.NoMatch, ApiProtocol.Answer(unknown, r, lookup, out _, out _));
        Assert.Equal(ApiStatus.Ok, ApiProtocol.Answer(v6, r, lookup, out _, out _));
        Assert.Equal(ApiStatus.BadQuery, ApiProtocol.Answer(bad, r, lookup, out _, out ApiQueryError e));
        Assert.Equal(ApiQueryError.BadMagic, e);

        var plain = new NonAllocatingLookup(FakeLookup.Host127_0_0_5);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            ApiProtocol.Answer(known, r, plain, out _, out _);
            ApiProtocol.Answer(v6, r, plain, out _, out _);
            ApiProtocol.Answer(bad, r, plain, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private sealed class NonAllocatingLookup(HostSnapshot host) : IHostLookup
    {
        public bool TryGetHost(HostAddress address, out HostSnapshot snapshot)
        {
            snapshot = host;
            return address.Version == 4;
        }
    }
}
