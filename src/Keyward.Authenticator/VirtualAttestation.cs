namespace Keyward.Authenticator;

/// <summary>The attestation statement the virtual key produces (WebAuthn L3 §8).</summary>
public enum VirtualAttestation
{
    /// <summary>fmt "none" with an empty attStmt (§8.7).</summary>
    None = 0,

    /// <summary>fmt "packed" self attestation (§8.2): attStmt {alg, sig}, signed with the credential key itself.</summary>
    PackedSelf = 1,
}
