using System.Collections.Frozen;

namespace Keyward.WebAuthn;

/// <summary>The one table of stable error codes and plain messages for <see cref="WebAuthnErrorCode"/>.</summary>
public static class WebAuthnErrors
{
    private static readonly FrozenDictionary<WebAuthnErrorCode, (string Code, string Message)> Table =
        new Dictionary<WebAuthnErrorCode, (string, string)>
        {
            [WebAuthnErrorCode.MalformedResponse] = ("malformed_response", "The credential response is not valid WebAuthn JSON (base64url fields, required members)."),
            [WebAuthnErrorCode.MalformedCbor] = ("malformed_cbor", "The CBOR data is malformed, non-conformant, too large or too deep, has duplicate map keys, or has trailing bytes."),
            [WebAuthnErrorCode.MalformedAuthenticatorData] = ("malformed_authenticator_data", "The authenticator data is truncated, has trailing bytes, or its flags do not match its contents."),
            [WebAuthnErrorCode.MalformedClientData] = ("malformed_client_data", "The clientDataJSON is not a JSON object with string type, challenge and origin members."),
            [WebAuthnErrorCode.CredentialTypeInvalid] = ("credential_type_invalid", "The credential type must be \"public-key\"."),
            [WebAuthnErrorCode.ClientDataTypeMismatch] = ("client_data_type_mismatch", "The clientDataJSON type does not match the ceremony (webauthn.create for registration, webauthn.get for sign-in)."),
            [WebAuthnErrorCode.ChallengeMismatch] = ("challenge_mismatch", "The challenge in the response is not the one issued for this ceremony; it may be stale or replayed."),
            [WebAuthnErrorCode.OriginMismatch] = ("origin_mismatch", "The response was made for an origin this relying party does not allow."),
            [WebAuthnErrorCode.CrossOriginNotAllowed] = ("cross_origin_not_allowed", "The ceremony ran in a cross-origin frame or under a top-level origin that is not allowed."),
            [WebAuthnErrorCode.TokenBindingInvalid] = ("token_binding_invalid", "The clientDataJSON tokenBinding member has an invalid status."),
            [WebAuthnErrorCode.RpIdMismatch] = ("rp_id_mismatch", "The authenticator scoped this credential to a different relying party id."),
            [WebAuthnErrorCode.UserPresenceMissing] = ("user_presence_missing", "The authenticator did not confirm user presence (UP flag clear)."),
            [WebAuthnErrorCode.UserVerificationMissing] = ("user_verification_missing", "User verification is required but the authenticator did not verify the user (UV flag clear)."),
            [WebAuthnErrorCode.BackupStateInvalid] = ("backup_state_invalid", "The backup flags are inconsistent: BS without BE, or backup eligibility changed since registration."),
            [WebAuthnErrorCode.AlgorithmNotAllowed] = ("algorithm_not_allowed", "The credential uses a signature algorithm that was not offered in pubKeyCredParams."),
            [WebAuthnErrorCode.AlgorithmUnsupported] = ("algorithm_unsupported", "The credential uses a key type or signature algorithm this verifier does not support."),
            [WebAuthnErrorCode.PublicKeyInvalid] = ("public_key_invalid", "The credential public key is malformed or does not match its declared algorithm."),
            [WebAuthnErrorCode.CredentialIdTooLong] = ("credential_id_too_long", "The credential id is longer than 1023 bytes."),
            [WebAuthnErrorCode.CredentialIdMismatch] = ("credential_id_mismatch", "The credential id in the response does not match the one in the authenticator data."),
            [WebAuthnErrorCode.CredentialNotAllowed] = ("credential_not_allowed", "The credential is not one of those allowed for this sign-in."),
            [WebAuthnErrorCode.UserHandleMismatch] = ("user_handle_mismatch", "The user handle in the response does not own this credential."),
            [WebAuthnErrorCode.AttestedCredentialDataInvalid] = ("attested_credential_data_invalid", "Attested credential data must be present at registration and absent at sign-in."),
            [WebAuthnErrorCode.SignatureInvalid] = ("signature_invalid", "The signature does not verify with the credential public key."),
            [WebAuthnErrorCode.SignCountRegressed] = ("sign_count_regressed", "The signature counter did not increase; the authenticator may have been cloned."),
            [WebAuthnErrorCode.AttestationFormatUnsupported] = ("attestation_format_unsupported", "The attestation statement format is not supported."),
            [WebAuthnErrorCode.AttestationInvalid] = ("attestation_invalid", "The attestation statement is malformed or does not verify."),
            [WebAuthnErrorCode.AttestationUntrusted] = ("attestation_untrusted", "The attestation does not chain to a configured trust anchor, and policy requires trusted attestation."),
            [WebAuthnErrorCode.AttestationFormatRefused] = ("attestation_format_refused", "android-safetynet attestation is deprecated and refused; ask the user to register with a current authenticator."),
            [WebAuthnErrorCode.ExtensionsInvalid] = ("extensions_invalid", "The authenticator extension outputs are malformed."),
        }.ToFrozenDictionary();

    /// <summary>The stable snake_case code for an error, as sent to clients and recorded in audit events.</summary>
    public static string Code(WebAuthnErrorCode error) => Table[error].Code;

    /// <summary>The plain, operator-facing message for an error.</summary>
    public static string Message(WebAuthnErrorCode error) => Table[error].Message;

    /// <summary>All codes, for documentation and tests.</summary>
    public static IEnumerable<WebAuthnErrorCode> All => Table.Keys;
}
