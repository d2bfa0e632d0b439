using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn.Attestation;

/// <summary>What an attestation statement format verifier gets (WebAuthn L3 §6.5.3 verification procedure inputs).</summary>
/// <param name="Statement">attStmt, a CBOR map.</param>
/// <param name="AuthenticatorData">The parsed authenticator data; its <see cref="AuthenticatorData.AttestedCredential"/> is present.</param>
/// <param name="ClientDataHash">SHA-256 of clientDataJSON.</param>
/// <param name="VerificationTime">The instant at which certificates must be valid.</param>
internal sealed record AttestationInput(CborValue Statement, AuthenticatorData AuthenticatorData, byte[] ClientDataHash, DateTimeOffset VerificationTime)
{
    /// <summary>authenticatorData ‖ clientDataHash, the bytes most formats sign.</summary>
    public byte[] SignedBytes() => [.. AuthenticatorData.Raw, .. ClientDataHash];

    /// <summary>The attested credential data (always present for attestation).</summary>
    public AttestedCredentialData Credential => AuthenticatorData.AttestedCredential!;
}
