namespace Keyward.WebAuthn.Cose;

/// <summary>COSE key types (RFC 9053 §7, draft-ietf-cose-dilithium for AKP).</summary>
public enum CoseKeyType
{
    /// <summary>Octet key pair (EdDSA).</summary>
    Okp = 1,
    /// <summary>Elliptic curve with x and y (ECDSA).</summary>
    Ec2 = 2,
    /// <summary>RSA.</summary>
    Rsa = 3,
    /// <summary>Algorithm key pair (ML-DSA).</summary>
    Akp = 7,
}
