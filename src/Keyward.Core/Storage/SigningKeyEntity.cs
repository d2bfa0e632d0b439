namespace Keyward.Core.Storage;

/// <summary>
/// A signing key shared by every broker node on one PostgreSQL database (<c>signing_keys</c>; docs/architecture.md,
/// "Signing keys"): its public half in the clear, its private half (PKCS#8) wrapped under the cluster key-encryption
/// key of <see cref="KekEpoch"/> with AES-GCM, the associated data binding purpose and key id. Times are Unix ms.
/// </summary>
public sealed class SigningKeyEntity
{
    /// <summary><c>assertion</c>, <c>capability</c> or <c>audit</c> (<see cref="Keys.SigningKeyPurposes"/>).</summary>
    public required string Purpose { get; set; }
    public required string KeyId { get; set; }

    /// <summary>The public key as a JWK (kty, crv, x, y, kid).</summary>
    public required string PublicJwk { get; set; }
    public int KekEpoch { get; set; }
    public required byte[] Nonce { get; set; }
    public required byte[] EncryptedPrivateKey { get; set; }

    /// <summary>The length of the unwrapped PKCS#8 key, so a provider with another tag size still unwraps it.</summary>
    public int PrivateKeyLength { get; set; }
    public long CreatedAt { get; set; }

    /// <summary>From when it signs; published (in the JWKS, in the export's key history) from <see cref="CreatedAt"/>.</summary>
    public long NotBefore { get; set; }

    /// <summary>When it stops being valid (null while no successor exists): nothing it signed outlives this.</summary>
    public long? RetireAt { get; set; }
}
