using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary><see cref="CborLimits.Authenticator"/> refuses every indefinite-length item, at any depth; <see cref="CborLimits.Default"/> reads them.</summary>
public sealed class CborDecoderLengthTests
{
    public static TheoryData<string> IndefiniteItems() => new()
    {
        "5F4101420203FF",     // (_ h'01', h'0203')
        "7F61616162FF",       // (_ "a", "b")
        "9F0102FF",           // [_ 1, 2]
        "BF0102FF",           // {_ 1: 2}
        "A1019F01FF",         // {1: [_ 1]}: nested
        "A10182015F41FFFF",   // {1: [1, (_ h'FF')]}: nested deeper
    };

    [Theory]
    [MemberData(nameof(IndefiniteItems))]
    public void Decode_IndefiniteLengthUnderAuthenticatorLimits_ReturnsMalformedCbor(string hex)
    {
        var result = CborDecoder.Decode(Convert.FromHexString(hex), CborLimits.Authenticator);

        Assert.False(result.Succeeded);
        Assert.Equal("malformed_cbor", result.Failure.Code);
    }

    [Theory]
    [MemberData(nameof(IndefiniteItems))]
    public void Decode_IndefiniteLengthUnderDefaultLimits_Succeeds(string hex) =>
        Assert.True(CborDecoder.Decode(Convert.FromHexString(hex), CborLimits.Default).Succeeded);
}
