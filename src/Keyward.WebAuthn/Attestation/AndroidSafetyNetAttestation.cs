namespace Keyward.WebAuthn.Attestation;

/// <summary>
/// fmt "android-safetynet" (WebAuthn L3 §8.5): refused. Google shut the SafetyNet Attestation API down in favour
/// of Play Integrity, so no current device produces it and its JWS chain can no longer be trusted to mean anything.
/// </summary>
internal sealed class AndroidSafetyNetAttestation : IAttestationFormat
{
    public string Format => "android-safetynet";

    public WebAuthnResult<AttestationVerdict> Verify(AttestationInput input) =>
        WebAuthnResult<AttestationVerdict>.Fail(WebAuthnErrorCode.AttestationFormatRefused, "android-safetynet is deprecated by Google");
}
