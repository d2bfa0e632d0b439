using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// The bounded CBOR decoder: every major type WebAuthn uses is read into its value, the depth and item budgets are
/// enforced at their edges, and tags, simple values other than undefined, input that is not well-formed or not
/// strictly conformant (RFC 8949 §5.2: duplicate keys, invalid UTF-8) and trailing bytes are refused as
/// malformed_cbor, never an exception. Strict is not canonical: a non-shortest integer is read.
/// </summary>
public sealed class CborDecoderTests
{
    private static readonly CborLimits Small = new(MaxDepth: 2, MaxItems: 5, AllowIndefiniteLength: false);

    [Theory]
    [InlineData("00", 0L)]
    [InlineData("17", 23L)]
    [InlineData("1818", 24L)]
    [InlineData("1817", 23L)]   // not the shortest form: strict, not canonical
    [InlineData("1B7FFFFFFFFFFFFFFF", long.MaxValue)]
    [InlineData("20", -1L)]
    [InlineData("3B7FFFFFFFFFFFFFFF", long.MinValue)]
    public void Decode_Integer_IsRead(string hex, long expected)
    {
        var value = Decode(hex);

        Assert.Equal(CborKind.Integer, value.Kind);
        Assert.Equal(expected, value.Integer);
    }

    [Theory]
    [InlineData("1B8000000000000000")]   // 2^63: beyond long
    [InlineData("1BFFFFFFFFFFFFFFFF")]
    [InlineData("3B8000000000000000")]   // -2^63 - 1
    public void Decode_IntegerBeyondInt64_ReturnsMalformedCbor(string hex) => AssertMalformed(hex);

    [Fact]
    public void Decode_Strings_AreRead()
    {
        Assert.Equal([0x01, 0x02], Decode("420102").Bytes);
        Assert.Equal(CborKind.ByteString, Decode("40").Kind);
        Assert.Equal("ab", Decode("626162").Text);
        Assert.Equal(CborKind.TextString, Decode("60").Kind);
    }

    [Fact]
    public void Decode_SimpleValues_AreRead()
    {
        Assert.True(Decode("F5").Boolean);
        Assert.Equal(CborKind.Boolean, Decode("F4").Kind);
        Assert.False(Decode("F4").Boolean);
        Assert.Same(CborValue.Null, Decode("F6"));
        Assert.Same(CborValue.Undefined, Decode("F7"));
    }

    [Theory]
    [InlineData("F93C00", 1.0)]                 // half precision
    [InlineData("FA3FC00000", 1.5)]             // single
    [InlineData("FB3FF199999999999A", 1.1)]     // double
    public void Decode_Float_IsRead(string hex, double expected)
    {
        var value = Decode(hex);

        Assert.Equal(CborKind.Float, value.Kind);
        Assert.Equal(expected, value.Float);
    }

    [Fact]
    public void Decode_ArrayAndMap_KeepOrderAndValues()
    {
        var array = Decode("83010203");
        var map = Decode("A2016161626263F5");   // {1: "a", "bc": true}

        Assert.Equal([1L, 2L, 3L], array.Items.Select(i => i.Integer));
        Assert.Equal(CborKind.Map, map.Kind);
        Assert.Equal(2, map.Entries.Count);
        Assert.True(map.TryGet(1, out var one));
        Assert.Equal("a", one.Text);
        Assert.True(map.TryGet("bc", out var bc));
        Assert.True(bc.Boolean);
        Assert.Empty(Decode("80").Items);
        Assert.Empty(Decode("A0").Entries);
    }

    [Theory]
    [InlineData("F0")]          // simple value 16
    [InlineData("F820")]        // simple value 32
    [InlineData("C11A514B67B0")] // tag 1 (epoch time)
    [InlineData("D8184100")]    // tag 24 (encoded CBOR)
    [InlineData("8201C100")]    // a tag inside an array
    [InlineData("A101C100")]    // a tag as a map value
    [InlineData("A1C10001")]    // a tag as a map key
    public void Decode_TagOrUnassignedSimpleValue_ReturnsMalformedCbor(string hex) => AssertMalformed(hex);

    [Theory]
    [InlineData("A201010101")]  // duplicate key
    [InlineData("6180")]        // invalid UTF-8
    [InlineData("FF")]          // a break with no indefinite item
    [InlineData("83 0102")]     // truncated array
    [InlineData("42 01")]       // truncated byte string
    public void Decode_NotWellFormedOrNotStrict_ReturnsMalformedCbor(string hex) => AssertMalformed(hex);

    [Fact]
    public void Decode_Empty_ReturnsMalformedCbor() =>
        Assert.Equal("malformed_cbor", CborDecoder.Decode(ReadOnlyMemory<byte>.Empty, CborLimits.Default).Failure?.Code);

    [Theory]
    [InlineData("0000")]
    [InlineData("A0 00")]
    [InlineData("80 FF")]
    public void Decode_TrailingBytes_ReturnsMalformedCbor(string hex) => AssertMalformed(hex);

    [Fact]
    public void DecodePrefix_TrailingBytes_ReportsHowManyWereUsed()
    {
        var data = Convert.FromHexString("A1016161" + "DEADBEEF");

        var result = CborDecoder.DecodePrefix(data, CborLimits.Default, out var consumed);

        Assert.True(result.Succeeded);
        Assert.Equal(4, consumed);
        Assert.Equal("a", result.Value.Entries[0].Value.Text);
    }

    [Fact]
    public void DecodePrefix_Failure_ConsumesNothing()
    {
        var result = CborDecoder.DecodePrefix(Convert.FromHexString("C100"), CborLimits.Default, out var consumed);

        Assert.False(result.Succeeded);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Decode_DepthAtTheLimit_IsRead()
    {
        // Small allows two levels of nesting: [[1]] and {1: [1]}.
        Assert.True(CborDecoder.Decode(Convert.FromHexString("818101"), Small).Succeeded);
        Assert.True(CborDecoder.Decode(Convert.FromHexString("A1018101"), Small).Succeeded);
    }

    [Theory]
    [InlineData("81818101")]        // [[[1]]]
    [InlineData("8181A0")]          // [[{}]]
    [InlineData("A101A101A0")]      // {1: {1: {}}}
    [InlineData("A1A1A00101 01")]   // a map nested as a map key, too deep
    public void Decode_DepthOverTheLimit_ReturnsMalformedCbor(string hex) =>
        Assert.Equal("malformed_cbor", CborDecoder.Decode(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)), Small).Failure?.Code);

    [Fact]
    public void Decode_ItemsAtTheBudget_AreRead()
    {
        // Five items: the array and its four members; {1: 2, 3: 4} is five too.
        Assert.True(CborDecoder.Decode(Convert.FromHexString("8401020304"), Small).Succeeded);
        Assert.True(CborDecoder.Decode(Convert.FromHexString("A201020304"), Small).Succeeded);
    }

    [Theory]
    [InlineData("850102030405")]        // six items
    [InlineData("A3010203040506")]      // a map declaring three pairs: seven items
    [InlineData("83810181018101")]      // [[1], [1], [1]]: seven items, found while reading
    public void Decode_ItemsOverTheBudget_ReturnsMalformedCbor(string hex)
    {
        var result = CborDecoder.Decode(Convert.FromHexString(hex), Small);

        Assert.Equal("malformed_cbor", result.Failure?.Code);
        Assert.Contains("too many items", result.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_IndefiniteArrayAndMapUnderDefaultLimits_AreRead()
    {
        var array = Decode("9F0102FF");
        var map = Decode("BF0102FF");

        Assert.Equal([1L, 2L], array.Items.Select(i => i.Integer));
        Assert.True(map.TryGet(1, out var two));
        Assert.Equal(2, two.Integer);
        Assert.Equal([0x01, 0x02, 0x03], Decode("5F4101420203FF").Bytes);
        Assert.Equal("ab", Decode("7F61616162FF").Text);
    }

    [Fact]
    public void Decode_IndefiniteItemsCountAgainstTheBudget()
    {
        var limits = new CborLimits(MaxDepth: 2, MaxItems: 3, AllowIndefiniteLength: true);

        Assert.True(CborDecoder.Decode(Convert.FromHexString("9F0102FF"), limits).Succeeded);
        Assert.Equal("malformed_cbor", CborDecoder.Decode(Convert.FromHexString("9F010203FF"), limits).Failure?.Code);
    }

    [Fact]
    public void Limits_DefaultAndAuthenticator()
    {
        Assert.Equal(new CborLimits(16, 4096, true), CborLimits.Default);
        Assert.Equal(new CborLimits(16, 4096, false), CborLimits.Authenticator);
    }

    [Fact]
    public void Decode_SixteenLevelsUnderDefaultLimits_IsReadSeventeenIsNot()
    {
        Assert.True(CborDecoder.Decode(Convert.FromHexString(string.Concat(Enumerable.Repeat("81", 16)) + "01"), CborLimits.Default).Succeeded);
        Assert.False(CborDecoder.Decode(Convert.FromHexString(string.Concat(Enumerable.Repeat("81", 17)) + "01"), CborLimits.Default).Succeeded);
    }

    [Fact]
    public void Decode_4096ItemsUnderDefaultLimits_IsRead4097IsNot()
    {
        Assert.True(CborDecoder.Decode(Convert.FromHexString("990FFF" + string.Concat(Enumerable.Repeat("00", 4095))), CborLimits.Default).Succeeded);
        Assert.False(CborDecoder.Decode(Convert.FromHexString("991000" + string.Concat(Enumerable.Repeat("00", 4096))), CborLimits.Default).Succeeded);
    }

    private static CborValue Decode(string hex)
    {
        var result = CborDecoder.Decode(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)), CborLimits.Default);
        Assert.True(result.Succeeded, result.Failure?.ToString());
        return result.Value;
    }

    private static void AssertMalformed(string hex)
    {
        var data = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

        Assert.Equal("malformed_cbor", CborDecoder.Decode(data, CborLimits.Default).Failure?.Code);
        Assert.Equal("malformed_cbor", CborDecoder.Decode(data, CborLimits.Authenticator).Failure?.Code);
    }
}
