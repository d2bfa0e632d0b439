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
        Assert.Equal("same: duplicate kid (the first one is kept)", Assert.Single(skipped));
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

    public static TheoryData<string, string?, string> SkipReasons => new()
    {
        { "kty", "RSA", "not an EC P-256 key" },
        { "crv", "P-384", "not an EC P-256 key" },
        { "use", "enc", "use is not sig" },
        { "alg", "ES384", "alg is not ES256" },
        { "kid", "", "no kid" },
        { "x", null, "x or y is not a 32-byte base64url coordinate" },
        { "y", null, "x or y is not a 32-byte base64url coordinate" },
        { "x", "AAAA", "x or y is not a 32-byte base64url coordinate" },
        { "y", Base64UrlEncoder.Encode(new byte[31]), "x or y is not a 32-byte base64url coordinate" },
        { "y", Base64UrlEncoder.Encode(new byte[33]), "x or y is not a 32-byte base64url coordinate" },
    };

    [Theory]
    [MemberData(nameof(SkipReasons))]
    public void Parse_UnusableMember_SkippedWithItsReasonBesideAGoodKey(string member, string? value, string reason)
    {
        var jwk = Jwk("bad");
        if (value is null)
        {
            jwk.Remove(member);
        }
        else
        {
            jwk[member] = value;
        }

        var (keys, skipped) = Parse(jwk, Jwk("good"));

        Assert.Equal(["good"], keys.Keys);
        Assert.Equal($"{(member == "kid" ? "" : "bad")}: {reason}", Assert.Single(skipped));
    }

    [Fact]
    public void Parse_MemberThatIsNotAnObject_SkippedBesideAGoodKey()
    {
        var (keys, skipped) = Parse(JsonValue.Create("a string"), Jwk("good"));

        Assert.Equal(["good"], keys.Keys);
        Assert.Equal(": not a JSON object", Assert.Single(skipped));
    }

    [Fact]
    public void Parse_MoreThan64Keys_KeepsTheFirst64()
    {
        var jwks = Enumerable.Range(0, JwksParser.MaxKeys + 1).Select(i => (JsonNode)Jwk($"k{i}")).ToArray();

        var (keys, skipped) = Parse(jwks);

        Assert.Equal(JwksParser.MaxKeys, keys.Count);
        Assert.DoesNotContain($"k{JwksParser.MaxKeys}", keys.Keys);
        Assert.Equal($": more than {JwksParser.MaxKeys} keys", Assert.Single(skipped));
    }

    [Fact]
    public void Parse_NestedDeeperThanEightLevels_Throws()
    {
        // A JWKS is three levels deep; a document nested deeper is refused before any key is read.
        var nested = new string('[', 8) + new string(']', 8);
        var json = $$"""{"keys":[{"kid":"k1","ext":{{nested}}}]}""";

        var error = Record.Exception(() => JwksParser.Parse(Encoding.UTF8.GetBytes(json), (_, _) => { }));

        Assert.IsAssignableFrom<JsonException>(error);
    }

    [Fact]
    public void Parse_NestedEightLevels_IsRead()
    {
        var nested = new string('[', 5) + new string(']', 5);
        var jwk = Jwk("k1");
        var json = $$"""{"keys":[{{jwk.ToJsonString().TrimEnd('}')}},"ext":{{nested}}}]}""";

        var keys = JwksParser.Parse(Encoding.UTF8.GetBytes(json), (_, _) => { });

        Assert.Equal(["k1"], keys.Keys);
    }
}
