using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.AspNetCore.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Keyward.AspNetCore.Tests;

public sealed class JwksParserTests
{
    private static (Dictionary<string, SecurityKey> Keys, List<string> Skipped) Parse(params JsonNode[] keys)
    {
        var skipped = new List<string>();
        var json = new JsonObject { ["keys"] = new JsonArray(keys) }.ToJsonString();
        var result = JwksParser.Parse(Encoding.UTF8.GetBytes(json), (kid, reason) => skipped.Add($"{kid}: {reason}"));
        return (result, skipped);
    }

    private static JsonObject Jwk(string kid = "k1") => new TestSigningKey(kid).ToJwk();

    [Fact]
    public void Parse_KeywardJwk_KeepsPublicEcdsaKeyWithKid()
    {
        var (keys, skipped) = Parse(Jwk("k1"), Jwk("k2"));

        Assert.Empty(skipped);
        Assert.Equal(["k1", "k2"], keys.Keys.Order());
        var key = Assert.IsType<ECDsaSecurityKey>(keys["k1"]);
        Assert.Equal("k1", key.KeyId);
        Assert.ThrowsAny<CryptographicException>(() => key.ECDsa.ExportParameters(includePrivateParameters: true));
    }

    [Fact]
    public void Parse_JwkWithoutUseAndAlg_Kept()
    {
        var jwk = Jwk();
        jwk.Remove("use");
        jwk.Remove("alg");

        Assert.Single(Parse(jwk).Keys);
    }

    [Fact]
    public void Parse_JwkWithPrivateMember_PrivatePartIgnored()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = ecdsa.ExportParameters(true);
        var jwk = new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["kid"] = "k1",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X),
            ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
            ["d"] = Base64UrlEncoder.Encode(p.D),
        };

        var key = Assert.IsType<ECDsaSecurityKey>(Parse(jwk).Keys["k1"]);

        Assert.ThrowsAny<CryptographicException>(() => key.ECDsa.ExportParameters(includePrivateParameters: true));
    }

    public static TheoryData<string, string> Unusable => new()
    {
        { "kty", "RSA" },
        { "crv", "P-384" },
        { "use", "enc" },
        { "alg", "ES384" },
        { "alg", "HS256" },
        { "kid", "" },
        { "x", "AAAA" },
        { "y", Base64UrlEncoder.Encode(new byte[33]) },
    };

    [Theory]
    [MemberData(nameof(Unusable))]
    public void Parse_UnusableMember_Skipped(string member, string value)
    {
        var jwk = Jwk();
        jwk[member] = value;

        var (keys, skipped) = Parse(jwk);

        Assert.Empty(keys);
        Assert.Single(skipped);
    }

    [Fact]
    public void Parse_PointNotOnCurve_Skipped()
    {
        var jwk = Jwk();
        var y = Base64UrlEncoder.DecodeBytes(jwk["y"]!.GetValue<string>());
        y[^1] ^= 1;
        jwk["y"] = Base64UrlEncoder.Encode(y);

        var (keys, skipped) = Parse(jwk);

        Assert.Empty(keys);
        Assert.Contains(skipped, s => s.Contains("curve", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_DuplicateKid_FirstKept()
    {
        var first = Jwk("same");
        var (keys, skipped) = Parse(first, Jwk("same"));

        Assert.Single(keys);
        Assert.Single(skipped);
        var x = ((ECDsaSecurityKey)keys["same"]).ECDsa.ExportParameters(false).Q.X!;
        Assert.Equal(first["x"]!.GetValue<string>(), Base64UrlEncoder.Encode(x));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"keys":"x"}""")]
    [InlineData("nope")]
    public void Parse_NotAJwks_Throws(string json)
    {
        var error = Record.Exception(() => JwksParser.Parse(Encoding.UTF8.GetBytes(json), (_, _) => { }));

        Assert.IsAssignableFrom<JsonException>(error);
    }
}
