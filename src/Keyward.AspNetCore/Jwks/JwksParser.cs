using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Keyward.AspNetCore;

/// <summary>
/// Reads Keyward's JWKS strictly: only EC P-256 signing keys for ES256 with a kid are kept (RFC 7517, RFC 7518 §6.2).
/// Anything else is skipped with a reason, never guessed at; private members are never read.
/// </summary>
internal static class JwksParser
{
    public const int MaxKeys = 64;

    private const int P256CoordinateLength = 32;

    /// <summary>Parses a JWKS document; throws <see cref="JsonException"/> when it is not a JSON object with a keys array.</summary>
    public static Dictionary<string, SecurityKey> Parse(ReadOnlySpan<byte> json, Action<string?, string> skipped)
    {
        using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("keys", out var keys)
            || keys.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("The JWKS is not an object with a \"keys\" array.");
        }

        var result = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        foreach (var jwk in keys.EnumerateArray())
        {
            if (result.Count == MaxKeys)
            {
                skipped(null, $"more than {MaxKeys} keys");
                break;
            }

            var kid = GetString(jwk, "kid");
            var reason = TryRead(jwk, kid, out var key);
            if (reason is not null)
            {
                skipped(kid, reason);
            }
            else if (!result.TryAdd(kid!, key!))
            {
                skipped(kid, "duplicate kid (the first one is kept)");
            }
        }

        return result;
    }

    private static string? TryRead(JsonElement jwk, string? kid, out SecurityKey? key)
    {
        key = null;
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return "not a JSON object";
        }

        if (string.IsNullOrEmpty(kid))
        {
            return "no kid";
        }

        if (GetString(jwk, "kty") != "EC" || GetString(jwk, "crv") != "P-256")
        {
            return "not an EC P-256 key";
        }

        var use = GetString(jwk, "use");
        if (use is not null && use != "sig")
        {
            return "use is not sig";
        }

        var alg = GetString(jwk, "alg");
        if (alg is not null && alg != KeywardAssertionDefaults.Algorithm)
        {
            return "alg is not ES256";
        }

        var x = DecodeCoordinate(GetString(jwk, "x"));
        var y = DecodeCoordinate(GetString(jwk, "y"));
        if (x is null || y is null)
        {
            return "x or y is not a 32-byte base64url coordinate";
        }

        try
        {
            // ImportParameters checks that the point is on the curve.
            var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
            key = new ECDsaSecurityKey(ecdsa) { KeyId = kid };
            return null;
        }
        catch (CryptographicException)
        {
            return "the point is not on the P-256 curve";
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static byte[]? DecodeCoordinate(string? value)
    {
        // Stryker disable once Equality : equivalent, a length that cannot decode to 32 bytes is refused again by written == P256CoordinateLength
        if (value is null || Base64Url.GetMaxDecodedLength(value.Length) < P256CoordinateLength)
        {
            return null;
        }

        var buffer = new byte[Base64Url.GetMaxDecodedLength(value.Length)];
        return Base64Url.TryDecodeFromChars(value, buffer, out var written) && written == P256CoordinateLength
            ? buffer[..written]
            : null;
    }
}
