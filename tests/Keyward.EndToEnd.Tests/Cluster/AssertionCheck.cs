using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Keyward.EndToEnd.Tests.Cluster;

/// <summary>
/// Verifies a <c>Keyward-Assertion</c> (a compact ES256 JWS) against a JWKS document, as a service behind Keyward
/// would: the header's <c>kid</c> must be in the set, and the signature must verify under that key.
/// </summary>
internal static class AssertionCheck
{
    /// <summary>The <c>kid</c> in the assertion's protected header.</summary>
    public static string KeyId(string assertion) =>
        JsonDocument.Parse(Base64UrlDecode(assertion.Split('.')[0])).RootElement.GetProperty("kid").GetString()!;

    /// <summary>Null when the assertion verifies against <paramref name="jwks"/>; else why not.</summary>
    public static string? Problem(string assertion, string jwks)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return "not a compact JWS";
        }

        var kid = KeyId(assertion);
        using var document = JsonDocument.Parse(jwks);
        foreach (var key in document.RootElement.GetProperty("keys").EnumerateArray())
        {
            if (key.GetProperty("kid").GetString() != kid)
            {
                continue;
            }

            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64UrlDecode(key.GetProperty("x").GetString()!), Y = Base64UrlDecode(key.GetProperty("y").GetString()!) },
            });

            // RFC 7515 §A.3: the ES256 signature is R || S, which is .NET's IEEE P1363 format.
            return ecdsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256)
                ? null
                : $"kid {kid}: the signature does not verify";
        }

        return $"kid {kid} is not in the JWKS";
    }

    private static byte[] Base64UrlDecode(string text) => Convert.FromBase64String(
        text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4));
}
