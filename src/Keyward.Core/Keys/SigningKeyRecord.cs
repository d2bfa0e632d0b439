using System.Security.Cryptography;
using System.Text.Json;

namespace Keyward.Core.Keys;

/// <summary>The public facts of a shared signing key: what the JWKS and the audit export's key history publish.</summary>
public sealed record SigningKeyRecord(string Purpose, string KeyId, string PublicJwk, DateTimeOffset CreatedAt, DateTimeOffset NotBefore, DateTimeOffset? RetireAt)
{
    /// <summary>Whether the key is still published at <paramref name="now"/> (not yet retired).</summary>
    public bool IsLive(DateTimeOffset now) => RetireAt is null || RetireAt > now;

    /// <summary>The public key as DER SubjectPublicKeyInfo, read back from <see cref="PublicJwk"/>.</summary>
    public byte[] SubjectPublicKeyInfo()
    {
        using var document = JsonDocument.Parse(PublicJwk);
        var root = document.RootElement;
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = System.Buffers.Text.Base64Url.DecodeFromChars(root.GetProperty("x").GetString()),
                Y = System.Buffers.Text.Base64Url.DecodeFromChars(root.GetProperty("y").GetString()),
            },
        });
        return key.ExportSubjectPublicKeyInfo();
    }

    /// <summary>The public JWK of <paramref name="key"/> under <paramref name="keyId"/>.</summary>
    public static string JwkOf(ECDsa key, string keyId)
    {
        ArgumentNullException.ThrowIfNull(key);
        var p = key.ExportParameters(false);
        return new System.Text.Json.Nodes.JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = WebAuthn.Base64Url.Encode(p.Q.X),
            ["y"] = WebAuthn.Base64Url.Encode(p.Q.Y),
            ["kid"] = keyId,
        }.ToJsonString();
    }
}
