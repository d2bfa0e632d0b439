using Keyward.WebAuthn.Cose;

namespace Keyward.Authenticator;

/// <summary>
/// A credential key pair. The private key is held as bytes (PKCS#8 for ECDSA, the 32-byte seed for Ed25519) so
/// it can be persisted and zeroed; <see cref="ToString"/> never shows it.
/// </summary>
internal abstract class CredentialKey
{
    private protected CredentialKey(CoseAlgorithm algorithm, byte[] privateKey, byte[] coseKey, byte[] subjectPublicKeyInfo)
    {
        Algorithm = algorithm;
        PrivateKey = privateKey;
        CoseKey = coseKey;
        SubjectPublicKeyInfo = subjectPublicKeyInfo;
    }

    /// <summary>The COSE algorithm the key signs with.</summary>
    public CoseAlgorithm Algorithm { get; }

    /// <summary>The public key as a COSE_Key in CTAP2 canonical CBOR.</summary>
    public byte[] CoseKey { get; }

    /// <summary>The public key as DER SubjectPublicKeyInfo (the <c>publicKey</c> member of the registration response).</summary>
    public byte[] SubjectPublicKeyInfo { get; }

    /// <summary>The private key bytes, for the key file only.</summary>
    protected internal byte[] PrivateKey { get; }

    /// <summary>The algorithms this key type can be generated for.</summary>
    public static bool IsSupported(long algorithm) =>
        algorithm is (long)CoseAlgorithm.ES256 or (long)CoseAlgorithm.EdDSA or (long)CoseAlgorithm.Ed25519;

    /// <summary>Generates a fresh key pair.</summary>
    public static CredentialKey Generate(CoseAlgorithm algorithm) => algorithm switch
    {
        CoseAlgorithm.ES256 => EcdsaCredentialKey.Generate(),
        CoseAlgorithm.EdDSA or CoseAlgorithm.Ed25519 => Ed25519CredentialKey.GenerateFor(algorithm),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not supported by the virtual key"),
    };

    /// <summary>Restores a key from its private bytes; null when the bytes do not form a key of that algorithm.</summary>
    public static CredentialKey? Import(CoseAlgorithm algorithm, byte[] privateKey) => algorithm switch
    {
        CoseAlgorithm.ES256 => EcdsaCredentialKey.Import(privateKey),
        CoseAlgorithm.EdDSA or CoseAlgorithm.Ed25519 => Ed25519CredentialKey.FromSeed(algorithm, privateKey),
        _ => null,
    };

    /// <summary>Signs <paramref name="data"/> as the algorithm requires (WebAuthn L3 §6.5.5: ECDSA signatures are DER).</summary>
    public abstract byte[] Sign(ReadOnlySpan<byte> data);

    /// <summary>Overwrites the private key bytes; the key is unusable afterwards.</summary>
    public void Destroy() => System.Security.Cryptography.CryptographicOperations.ZeroMemory(PrivateKey);

    /// <inheritdoc />
    public override string ToString() => $"{Algorithm} credential key";
}
