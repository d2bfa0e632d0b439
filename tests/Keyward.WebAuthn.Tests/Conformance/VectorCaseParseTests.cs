using System.Text.Json.Nodes;
using Keyward.WebAuthn.Conformance;
using Keyward.WebAuthn.Cose;
using Keyward.WebAuthn.Tests.Attestation;
using Keyward.WebAuthn.Tests.Verification;

namespace Keyward.WebAuthn.Tests.Conformance;

/// <summary>
/// Reading a case file: every member is read into its setting, absent optional members take their documented
/// defaults, and a required member that is missing or unusable is refused with a message naming it.
/// </summary>
public sealed class VectorCaseParseTests
{
    [Fact]
    public void Parse_MinimalAuthenticationCase_TakesTheDefaults()
    {
        using var b = new ResponseBuilder();

        var c = Parse(CaseFiles.Authentication(b));

        Assert.Equal("authentication", c.Ceremony);
        Assert.Equal(ResponseBuilder.RpId, c.RpId);
        Assert.Equal([ResponseBuilder.Origin], c.Origins);
        Assert.Equal(b.Challenge, c.Challenge);
        Assert.Equal(b.CoseKey(), c.CredentialPublicKey);
        Assert.Equal(4u, c.StoredSignCount);
        Assert.False(c.AllowCrossOrigin);
        Assert.Empty(c.AllowedTopOrigins);
        Assert.False(c.RequireUserVerification);
        Assert.True(c.RequireUserPresence);
        Assert.Null(c.Algorithms);
        Assert.Empty(c.TrustAnchors);
        Assert.Null(c.VerificationTime);
        Assert.Null(c.StoredBackupEligible);
        Assert.Equal("public-key", c.Response.GetProperty("type").GetString());
    }

    [Fact]
    public void Parse_EveryOptionalMember_IsRead()
    {
        using var b = new ResponseBuilder();
        using var anchor = TestCertificates.CreateCa();
        var json = CaseFiles.Authentication(b);
        json["origin"] = new JsonArray("https://a.example", "https://b.example");
        json["allowCrossOrigin"] = true;
        json["allowedTopOrigins"] = new JsonArray("https://top.example");
        json["requireUserVerification"] = true;
        json["pubKeyCredParamsAlgs"] = new JsonArray(-7, -1000, -257);
        json["trustAnchorsDerHex"] = new JsonArray(Convert.ToHexString(anchor.RawData));
        json["verificationTime"] = "2025-06-01T12:00:00";
        json["storedBackupEligible"] = false;

        var c = Parse(json);

        Assert.Equal(["https://a.example", "https://b.example"], c.Origins);
        Assert.True(c.AllowCrossOrigin);
        Assert.Equal(["https://top.example"], c.AllowedTopOrigins);
        Assert.True(c.RequireUserVerification);
        Assert.Equal([CoseAlgorithm.ES256, CoseAlgorithm.RS256], c.Algorithms);   // unknown ids are dropped
        Assert.Equal(anchor.RawData, Assert.Single(c.TrustAnchors).RawData);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero), c.VerificationTime);   // no offset: UTC
        Assert.False(c.StoredBackupEligible);
    }

    [Fact]
    public void Parse_ExplicitNull_MeansNotGiven()
    {
        using var b = new ResponseBuilder();
        var json = CaseFiles.Authentication(b);
        json["allowCrossOrigin"] = null;
        json["pubKeyCredParamsAlgs"] = null;
        json["verificationTime"] = null;

        var c = Parse(json);

        Assert.False(c.AllowCrossOrigin);
        Assert.Null(c.Algorithms);
        Assert.Null(c.VerificationTime);
    }

    [Fact]
    public void Parse_RegistrationCase_NeedsNoStoredKey()
    {
        using var b = new ResponseBuilder();
        var json = CaseFiles.Authentication(b);
        json["ceremony"] = "registration";
        json.Remove("credentialPublicKey");

        var c = Parse(json);

        Assert.Equal("registration", c.Ceremony);
        Assert.Null(c.CredentialPublicKey);
    }

    [Theory]
    [InlineData("ceremony", null, "\"ceremony\" is required: a string")]
    [InlineData("ceremony", "\"Registration\"", "\"ceremony\" must be \"registration\" or \"authentication\"")]
    [InlineData("origin", null, "\"origin\" is required")]
    [InlineData("challenge", "\"AQ==\"", "\"challenge\" must be base64url")]
    [InlineData("response", null, "\"response\" is required")]
    [InlineData("credentialPublicKey", null, "\"credentialPublicKey\" is required: a string")]
    [InlineData("credentialPublicKey", "\"AQ==\"", "\"credentialPublicKey\" must be the stored COSE key, base64url")]
    [InlineData("rpId", null, "\"rpId\" is required: a string")]
    [InlineData("trustAnchorsDerHex", "[\"zz\"]", "\"trustAnchorsDerHex\" must hold DER certificates in hex")]
    [InlineData("trustAnchorsDerHex", "[\"3003020101\"]", "\"trustAnchorsDerHex\" must hold DER certificates in hex")]
    [InlineData("verificationTime", "\"yesterday\"", "\"verificationTime\" must be a string holding an ISO 8601 instant, not a string")]
    public void Parse_UnusableMember_IsRefusedNamingIt(string member, string? json, string expected)
    {
        using var b = new ResponseBuilder();
        var c = CaseFiles.Authentication(b);
        if (json is null)
        {
            c.Remove(member);
        }
        else
        {
            c[member] = JsonNode.Parse(json);
        }

        var parsed = VectorCase.Parse(CaseFiles.Element(c), out var error);

        Assert.Null(parsed);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]", "a list")]
    [InlineData("{}", "an object")]
    [InlineData("12345678901234567890123456789", "a long number")]
    [InlineData("true", "a boolean")]
    [InlineData("null", "null")]
    public void Parse_ListItemOfTheWrongKind_NamesTheKind(string json, string kind)
    {
        using var b = new ResponseBuilder();
        var c = CaseFiles.Authentication(b);
        c["allowedTopOrigins"] = new JsonArray(JsonNode.Parse(json));

        VectorCase.Parse(CaseFiles.Element(c), out var error);

        Assert.Equal($"\"allowedTopOrigins\" must be a list of strings; item 0 is {kind}", error);
    }

    [Fact]
    public void Parse_NotAnObject_IsRefused()
    {
        var parsed = VectorCase.Parse(System.Text.Json.JsonDocument.Parse("[]").RootElement, out var error);

        Assert.Null(parsed);
        Assert.Equal("the case must be a JSON object", error);
    }

    private static VectorCase Parse(JsonObject json)
    {
        var c = VectorCase.Parse(CaseFiles.Element(json), out var error);
        Assert.True(c is not null, error);
        Assert.Null(error);
        return c!;
    }
}
