using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Base64Url = System.Buffers.Text.Base64Url;

namespace Keyward.Server.Tests.Infrastructure;

/// <summary>
/// A <c>Keyward-Assertion</c> JWT taken apart and checked the way a service behind Keyward checks it: compact JWS,
/// ES256 over the signing input, key chosen by <c>kid</c> from the JWKS Keyward serves. Written from RFC 7515/7518
/// here rather than with the product's own code, so a shared mistake cannot hide.
/// </summary>
internal sealed class IdentityAssertion
{
    private IdentityAssertion(string token, JsonElement header, JsonElement payload, byte[] signingInput, byte[] signature)
    {
        Token = token;
        Header = header;
        Payload = payload;
        SigningInput = signingInput;
        Signature = signature;
    }

    public string Token { get; }

    public JsonElement Header { get; }

    public JsonElement Payload { get; }

    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    public string Kid => Header.GetProperty("kid").GetString()!;

    public static IdentityAssertion Parse(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement.Clone();
        var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
        return new IdentityAssertion(token, header, payload, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]));
    }

    public string Claim(string name) => Payload.GetProperty(name).GetString()!;

    public long NumericClaim(string name) => Payload.GetProperty(name).GetInt64();

    public IReadOnlyList<string> Amr => [.. Payload.GetProperty("amr").EnumerateArray().Select(a => a.GetString()!)];

    /// <summary>True when the signature verifies with the JWKS key named by <c>kid</c> (false when there is none).</summary>
    public bool VerifiesWith(JsonElement jwks)
    {
        foreach (var key in jwks.GetProperty("keys").EnumerateArray())
        {
            if (key.GetProperty("kid").GetString() != Kid)
            {
                continue;
            }

            Assert.Equal("EC", key.GetProperty("kty").GetString());
            Assert.Equal("P-256", key.GetProperty("crv").GetString());
            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64Url.DecodeFromChars(key.GetProperty("x").GetString()!), Y = Base64Url.DecodeFromChars(key.GetProperty("y").GetString()!) },
            });

            // RFC 7518 §3.4: the JWS signature is R ‖ S, 32 bytes each.
            return Signature.Length == 64 && ecdsa.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        return false;
    }
}
