using Keyward.WebAuthn.Attestation;

namespace Keyward.WebAuthn.Tests.Attestation;

public sealed class AttestationFormatsTests
{
    [Theory]
    [InlineData("none")]
    [InlineData("packed")]
    [InlineData("tpm")]
    [InlineData("android-key")]
    [InlineData("android-safetynet")]
    [InlineData("fido-u2f")]
    [InlineData("apple")]
    public void TryGet_RegisteredFormat_ReturnsIt(string fmt)
    {
        Assert.True(AttestationFormats.TryGet(fmt, out var format));
        Assert.Equal(fmt, format.Format);
    }

    [Theory]
    [InlineData("Packed")]
    [InlineData("x-unknown")]
    [InlineData("")]
    public void TryGet_UnknownFormat_ReturnsFalse(string fmt) => Assert.False(AttestationFormats.TryGet(fmt, out _));
}
