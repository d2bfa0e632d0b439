namespace Keyward.WebAuthn;

/// <summary>The attestation types of WebAuthn L3 §6.5.4.</summary>
public enum AttestationType
{
    /// <summary>No attestation (fmt "none").</summary>
    None,
    /// <summary>Self attestation: signed with the credential private key.</summary>
    Self,
    /// <summary>Basic attestation: a batch certificate signs.</summary>
    Basic,
    /// <summary>Attestation CA: a CA-issued attestation identity key signs (TPM).</summary>
    AttCA,
    /// <summary>Anonymization CA: a per-credential certificate from an anonymizing CA (Apple).</summary>
    AnonCA,
}
