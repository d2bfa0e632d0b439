using System.Security.Cryptography;
using Keyward.Core.Audit;

namespace Keyward.Core.Keys;

/// <summary>What a shared signing key signs; a key signs for one purpose only.</summary>
public static class SigningKeyPurposes
{
    /// <summary>Identity assertions (the JWKS at <c>/.well-known/keyward/jwks.json</c>).</summary>
    public const string Assertion = "assertion";

    /// <summary>Capability tokens (<c>/.well-known/keyward/capability-jwks.json</c>).</summary>
    public const string Capability = "capability";

    /// <summary>Audit tree heads (the export's key history).</summary>
    public const string Audit = "audit";

    /// <summary>
    /// The key id, as each purpose has always named its keys: the audit key by the whole SHA-256 of its
    /// SubjectPublicKeyInfo (RFC 6962's log id), the token keys by its first 12 bytes (base64url).
    /// </summary>
    public static string KeyIdOf(string purpose, byte[] subjectPublicKeyInfo) =>
        purpose == Audit
            ? AuditSigningKey.KeyIdOf(subjectPublicKeyInfo)
            : WebAuthn.Base64Url.Encode(SHA256.HashData(subjectPublicKeyInfo).AsSpan(0, 12));

    // One advisory-lock key per purpose ("KWKEYS" and a digit): rotations of one purpose run one at a time, cluster-wide.
    internal static long LockKey(string purpose) => 0x4B57_4B45_5953_3000 + purpose switch
    {
        Assertion => 1,
        Capability => 2,
        Audit => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Not a signing key purpose."),
    };
}
