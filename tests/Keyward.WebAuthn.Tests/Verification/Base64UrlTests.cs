namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// Base64url as the WebAuthn JSON forms use it (RFC 4648 §5, no padding): strict by default; the legacy form
/// (standard alphabet, optional padding) only under <see cref="Base64Policy.AcceptStandardAlphabet"/>, and never
/// a mix of both alphabets.
/// </summary>
public sealed class Base64UrlTests
{
    [Theory]
    [InlineData(new byte[0], "")]
    [InlineData(new byte[] { 0x01 }, "AQ")]
    [InlineData(new byte[] { 0xFB, 0xFF }, "-_8")]
    [InlineData(new byte[] { 0xFB, 0xFF, 0x00 }, "-_8A")]
    public void Encode_IsUnpaddedBase64Url(byte[] data, string expected)
    {
        Assert.Equal(expected, Base64Url.Encode(data));
        Assert.True(Base64Url.TryDecode(expected, out var decoded));
        Assert.Equal(data, decoded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("A")]          // 4k+1 characters cannot encode whole bytes
    [InlineData("AQIDB")]
    [InlineData("AQ==")]       // padding
    [InlineData("+/8")]        // standard alphabet
    [InlineData("A Q")]
    [InlineData("AQ.")]
    public void TryDecode_Strict_RefusesAnythingButUnpaddedBase64Url(string? text)
    {
        Assert.False(Base64Url.TryDecode(text, out var bytes));
        Assert.Empty(bytes);
        Assert.False(Base64Url.TryDecode(text, Base64Policy.Strict, out _));
    }

    [Theory]
    [InlineData("+/8=", new byte[] { 0xFB, 0xFF })]
    [InlineData("+/8", new byte[] { 0xFB, 0xFF })]
    [InlineData("AQ==", new byte[] { 0x01 })]
    [InlineData("AQ", new byte[] { 0x01 })]
    [InlineData("-_8", new byte[] { 0xFB, 0xFF })]
    [InlineData("AQID", new byte[] { 0x01, 0x02, 0x03 })]
    public void TryDecode_AcceptStandardAlphabet_ReadsEitherAlphabet(string text, byte[] expected)
    {
        Assert.True(Base64Url.TryDecode(text, Base64Policy.AcceptStandardAlphabet, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("AQ===")]      // three padding characters
    [InlineData("-/8")]        // mixed alphabets
    [InlineData("_+8")]
    [InlineData("+_8=")]
    [InlineData("+-8=")]
    [InlineData("A===")]
    [InlineData("A")]
    [InlineData("AQ=A")]
    [InlineData("A Q=")]
    public void TryDecode_AcceptStandardAlphabet_RefusesMalformedOrMixed(string text)
    {
        Assert.False(Base64Url.TryDecode(text, Base64Policy.AcceptStandardAlphabet, out var bytes));
        Assert.Empty(bytes);
    }
}
