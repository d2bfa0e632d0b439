namespace Keyward.WebAuthn;

/// <summary>
/// Every way a WebAuthn ceremony can fail. Each value has a stable snake_case code
/// (see <see cref="WebAuthnErrors.Code"/>) that clients and audit records rely on: never renumber, never reuse.
/// </summary>
public enum WebAuthnErrorCode
{
    /// <summary>The input could not be decoded as base64url or JSON, or a required member is missing.</summary>
    MalformedResponse = 1,
    /// <summary>CBOR was malformed, non-conformant, too deep, too large, had trailing bytes or duplicate map keys.</summary>
    MalformedCbor,
    /// <summary>Authenticator data was truncated, had trailing bytes or inconsistent flags.</summary>
    MalformedAuthenticatorData,
    /// <summary>The clientDataJSON could not be parsed or lacks a required member.</summary>
    MalformedClientData,
    /// <summary>The credential type is not "public-key".</summary>
    CredentialTypeInvalid,
    /// <summary>clientData.type is not the one this ceremony expects.</summary>
    ClientDataTypeMismatch,
    /// <summary>clientData.challenge is not the challenge the relying party issued.</summary>
    ChallengeMismatch,
    /// <summary>clientData.origin is not among the allowed origins.</summary>
    OriginMismatch,
    /// <summary>The ceremony ran in a cross-origin iframe, or under a top origin, that policy does not allow.</summary>
    CrossOriginNotAllowed,
    /// <summary>The legacy tokenBinding member of clientData carries a status that cannot be honoured.</summary>
    TokenBindingInvalid,
    /// <summary>authenticatorData.rpIdHash is not SHA-256 of the relying party id.</summary>
    RpIdMismatch,
    /// <summary>The UP flag is not set although user presence is required.</summary>
    UserPresenceMissing,
    /// <summary>The UV flag is not set although user verification is required.</summary>
    UserVerificationMissing,
    /// <summary>BS is set without BE, or BE changed since registration.</summary>
    BackupStateInvalid,
    /// <summary>The credential's algorithm was not offered in pubKeyCredParams.</summary>
    AlgorithmNotAllowed,
    /// <summary>The algorithm or key type is not one this verifier supports.</summary>
    AlgorithmUnsupported,
    /// <summary>The COSE public key is malformed or inconsistent (wrong curve for the algorithm, point not on the curve, weak RSA).</summary>
    PublicKeyInvalid,
    /// <summary>The credential id is longer than 1023 bytes.</summary>
    CredentialIdTooLong,
    /// <summary>rawId does not match the credential id in the response or authenticator data.</summary>
    CredentialIdMismatch,
    /// <summary>The credential id is not in the allow list the relying party sent.</summary>
    CredentialNotAllowed,
    /// <summary>The user handle in the response does not own the credential.</summary>
    UserHandleMismatch,
    /// <summary>Attested credential data is missing from a registration, or present in an assertion.</summary>
    AttestedCredentialDataInvalid,
    /// <summary>The signature does not verify.</summary>
    SignatureInvalid,
    /// <summary>The signature counter went backwards (policy: reject).</summary>
    SignCountRegressed,
    /// <summary>The attestation statement format is unknown.</summary>
    AttestationFormatUnsupported,
    /// <summary>The attestation statement is malformed or does not verify.</summary>
    AttestationInvalid,
    /// <summary>The attestation is valid but does not chain to a trust anchor, and policy requires trusted attestation.</summary>
    AttestationUntrusted,
    /// <summary>android-safetynet attestation: deprecated by Google and refused by policy.</summary>
    AttestationFormatRefused,
    /// <summary>Extension outputs are malformed.</summary>
    ExtensionsInvalid,
}
