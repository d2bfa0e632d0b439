using System.Buffers.Text;
using System.Security.Cryptography;

namespace Keyward.Core.Audit;

/// <summary>
/// The ES256 (ECDSA P-256, SHA-256) key that signs tree heads. Its id is base64url(SHA-256(SubjectPublicKeyInfo DER)),
/// the way RFC 6962 names a log. Signatures are DER (RFC 3279 Ecdsa-Sig-Value), as OpenSSL reads them.
/// The host decides where the private key lives (Keyward.Server keeps it in <c>&lt;data&gt;/audit</c>).
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    /// <summary>The JOSE name of the algorithm.</summary>
    public const string Algorithm = "ES256";

    private readonly ECDsa _key;

    private AuditSigningKey(ECDsa key)
    {
        _key = key;
        SubjectPublicKeyInfo = key.ExportSubjectPublicKeyInfo();
        KeyId = KeyIdOf(SubjectPublicKeyInfo);
    }

    /// <summary>The key id.</summary>
    public string KeyId { get; }

    /// <summary>The public key as DER SubjectPublicKeyInfo.</summary>
    public byte[] SubjectPublicKeyInfo { get; }

    /// <summary>The public key as PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    public string PublicKeyPem => PemEncoding.WriteString("PUBLIC KEY", SubjectPublicKeyInfo);

    /// <summary>A new random key.</summary>
    public static AuditSigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads a P-256 private key from PEM (PKCS#8 or SEC1).</summary>
    public static AuditSigningKey FromPrivateKeyPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                throw new CryptographicException("The audit signing key must be an ECDSA P-256 key.");
            }

            return new AuditSigningKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Wraps an ECDSA P-256 key (a shared key opened from the database); the caller keeps owning it.</summary>
    public static AuditSigningKey FromECDsa(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.KeySize == 256 ? new AuditSigningKey(key) : throw new CryptographicException("The audit signing key must be an ECDSA P-256 key.");
    }

    /// <summary>The id of a public key: base64url(SHA-256(SubjectPublicKeyInfo DER)).</summary>
    public static string KeyIdOf(ReadOnlySpan<byte> subjectPublicKeyInfo) => Base64Url.EncodeToString(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>Verifies an ES256 DER signature with a SubjectPublicKeyInfo; false for any malformed input.</summary>
    public static bool Verify(ReadOnlySpan<byte> subjectPublicKeyInfo, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        }
        catch (CryptographicException)
        {
            return false;
        }

        return key.KeySize == 256 && key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>The private key as PKCS#8 PEM, for the host to store.</summary>
    public string ExportPrivateKeyPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>The public key as a JWK (RFC 7517/7518) with its <c>kid</c>.</summary>
    public IReadOnlyDictionary<string, string> ToJwk()
    {
        var p = _key.ExportParameters(false);
        return new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64Url.EncodeToString(p.Q.X),
            ["y"] = Base64Url.EncodeToString(p.Q.Y),
            ["kid"] = KeyId,
            ["use"] = "sig",
            ["alg"] = Algorithm,
        };
    }

    /// <summary>Signs with ECDSA P-256 and SHA-256; the signature is DER.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"ES256 audit key {KeyId}";
}
