namespace Keyward.WebAuthn.Cose;

/// <summary>COSE elliptic curves (RFC 9053 §7.1).</summary>
public enum CoseCurve
{
    /// <summary>No curve (RSA and AKP keys).</summary>
    None = 0,
    /// <summary>NIST P-256.</summary>
    P256 = 1,
    /// <summary>NIST P-384.</summary>
    P384 = 2,
    /// <summary>NIST P-521.</summary>
    P521 = 3,
    /// <summary>Ed25519.</summary>
    Ed25519 = 6,
    /// <summary>Ed448.</summary>
    Ed448 = 7,
}
