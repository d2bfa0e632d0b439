using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Keyward.AspNetCore.Tests.Infrastructure;

/// <summary>An ES256 signing key as Keyward holds it: the private half signs, the public half goes in the JWKS.</summary>
public sealed class TestSigningKey
{
    public TestSigningKey(string kid, ECCurve? curve = null)
    {
        Kid = kid;
        Ecdsa = ECDsa.Create(curve ?? ECCurve.NamedCurves.nistP256);
        SecurityKey = new ECDsaSecurityKey(Ecdsa) { KeyId = kid };
    }

    public string Kid { get; }

    public ECDsa Ecdsa { get; }

    public ECDsaSecurityKey SecurityKey { get; }

    public SigningCredentials Credentials(string algorithm = SecurityAlgorithms.EcdsaSha256) => new(SecurityKey, algorithm);

    /// <summary>The public JWK, as Keyward publishes it (converted by IdentityModel, private member removed).</summary>
    public JsonObject ToJwk(string alg = "ES256")
    {
        using var publicOnly = ECDsa.Create(Ecdsa.ExportParameters(includePrivateParameters: false));
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(publicOnly) { KeyId = Kid });
        return new JsonObject
        {
            ["kty"] = jwk.Kty,
            ["crv"] = jwk.Crv,
            ["x"] = jwk.X,
            ["y"] = jwk.Y,
            ["kid"] = jwk.Kid,
            ["use"] = "sig",
            ["alg"] = alg,
        };
    }
}
