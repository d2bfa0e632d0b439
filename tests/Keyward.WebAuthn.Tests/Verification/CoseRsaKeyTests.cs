using System.Formats.Cbor;
using System.Security.Cryptography;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// An RSA COSE key whose exponent is only zero bytes is refused as a value. Found by fuzzing (fuzz/corpus/authdata/
/// afl-crash-*): trimmed to nothing, it reached RSA.Create, which threw IndexOutOfRangeException out of
/// AuthenticatorData.Parse.
/// </summary>
public sealed class CoseRsaKeyTests
{
    private static readonly byte[] Modulus = CreateModulus();

    [Theory]
    [InlineData("00")]
    [InlineData("0000")]
    public void Decode_RsaKeyWithZeroExponent_IsInvalidNotAnException(string exponentHex)
    {
        var result = CosePublicKey.Decode(Encode(Convert.FromHexString(exponentHex)));

        Assert.False(result.Succeeded);
        Assert.Equal(WebAuthnErrorCode.PublicKeyInvalid, result.Failure.Error);
    }

    [Fact]
    public void Decode_RsaKeyWithExponent65537_Succeeds()
    {
        var result = CosePublicKey.Decode(Encode([0x01, 0x00, 0x01]));

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Parse_AuthenticatorDataWithZeroExponentKey_IsAFailureValue()
    {
        byte[] authData = [.. new byte[32], 0x41, 0, 0, 0, 1, .. new byte[16], 0, 1, 0x2A, .. Encode([0x00])];

        var result = AuthenticatorData.Parse(authData);

        Assert.False(result.Succeeded);
    }

    private static byte[] Encode(byte[] exponent)
    {
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(4);
        writer.WriteInt32(1);
        writer.WriteInt32(3); // kty RSA
        writer.WriteInt32(3);
        writer.WriteInt32(-257); // RS256
        writer.WriteInt32(-1);
        writer.WriteByteString(Modulus);
        writer.WriteInt32(-2);
        writer.WriteByteString(exponent);
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static byte[] CreateModulus()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportParameters(includePrivateParameters: false).Modulus!;
    }
}
