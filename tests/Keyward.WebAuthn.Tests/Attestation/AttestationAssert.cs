using Keyward.WebAuthn.Attestation;

namespace Keyward.WebAuthn.Tests.Attestation;

internal static class AttestationAssert
{
    public static void Fails(WebAuthnErrorCode expected, WebAuthnResult<AttestationVerdict> result)
    {
        Assert.False(result.Succeeded, "the attestation verified although it should not have");
        Assert.Equal(expected, result.Failure.Error);
    }

    public static void Invalid(WebAuthnResult<AttestationVerdict> result) => Fails(WebAuthnErrorCode.AttestationInvalid, result);

    public static AttestationVerdict Succeeds(WebAuthnResult<AttestationVerdict> result)
    {
        Assert.True(result.Succeeded, result.Failure?.ToString());
        return result.Value;
    }
}
