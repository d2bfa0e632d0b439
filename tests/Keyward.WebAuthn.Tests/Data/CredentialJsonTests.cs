using System.Text.Json.Nodes;

namespace Keyward.WebAuthn.Tests.Data;

/// <summary>
/// The JSON forms of both responses (<c>PublicKeyCredential.toJSON()</c>): each required member, when missing, of the
/// wrong JSON type or not base64url, is refused with its code; the optional members (transports, userHandle) are read
/// when present and tolerated when absent.
/// </summary>
public sealed class CredentialJsonTests
{
    // rawId h'FFEF' is "_-8" in base64url, "/+8=" in standard base64.
    private static JsonObject Registration() => new()
    {
        ["type"] = "public-key",
        ["id"] = "_-8",
        ["rawId"] = "_-8",
        ["response"] = new JsonObject
        {
            ["clientDataJSON"] = "AQ",
            ["attestationObject"] = "AgM",
            ["transports"] = new JsonArray("usb", "nfc"),
        },
    };

    private static JsonObject Authentication() => new()
    {
        ["type"] = "public-key",
        ["id"] = "_-8",
        ["rawId"] = "_-8",
        ["response"] = new JsonObject
        {
            ["clientDataJSON"] = "AQ",
            ["authenticatorData"] = "AgM",
            ["signature"] = "BAUG",
            ["userHandle"] = "Bw",
        },
    };

    [Fact]
    public void RegistrationParse_EveryMember_IsRead()
    {
        var credential = RegistrationCredential.Parse(Registration().ToJsonString()).Value;

        Assert.Equal("_-8", credential.Id);
        Assert.Equal([0xFF, 0xEF], credential.RawId);
        Assert.Equal([0x01], credential.ClientDataJson);
        Assert.Equal([0x02, 0x03], credential.AttestationObject);
        Assert.Equal(["usb", "nfc"], credential.Transports);
    }

    [Fact]
    public void AuthenticationParse_EveryMember_IsRead()
    {
        var credential = AuthenticationCredential.Parse(Authentication().ToJsonString()).Value;

        AssertAuthenticationMembers(credential);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"public-key\"")]
    [InlineData("{")]
    public void Parse_NotAJsonObject_ReturnsMalformedResponse(string json)
    {
        AssertFails(RegistrationCredential.Parse(json), "malformed_response");
        AssertFails(AuthenticationCredential.Parse(json), "malformed_response");
    }

    [Fact]
    public void Parse_NestedDeeperThan16_ReturnsMalformedResponse()
    {
        var json = Registration();
        json["extra"] = JsonNode.Parse(new string('[', 16) + new string(']', 16));

        AssertFails(RegistrationCredential.Parse(json.ToJsonString()), "malformed_response");
        var assertion = Authentication();
        assertion["extra"] = JsonNode.Parse(new string('[', 16) + new string(']', 16));
        AssertFails(AuthenticationCredential.Parse(assertion.ToJsonString()), "malformed_response");
    }

    [Fact]
    public void Parse_NestedExactly16_IsRead()
    {
        var json = Registration();
        json["extra"] = JsonNode.Parse(new string('[', 15) + new string(']', 15));

        Assert.True(RegistrationCredential.Parse(json.ToJsonString()).Succeeded);
        var assertion = Authentication();
        assertion["extra"] = JsonNode.Parse(new string('[', 15) + new string(']', 15));
        Assert.True(AuthenticationCredential.Parse(assertion.ToJsonString()).Succeeded);
    }

    [Theory]
    [InlineData("type", null, "malformed_response")]
    [InlineData("type", 1, "malformed_response")]
    [InlineData("type", "password", "credential_type_invalid")]
    [InlineData("type", "Public-Key", "credential_type_invalid")]
    [InlineData("id", null, "malformed_response")]
    [InlineData("id", 1, "malformed_response")]
    [InlineData("id", "AQ", "credential_id_mismatch")]
    [InlineData("id", "_-8=", "credential_id_mismatch")]
    [InlineData("rawId", null, "malformed_response")]
    [InlineData("rawId", 1, "malformed_response")]
    [InlineData("rawId", "/+8", "malformed_response")]
    [InlineData("response", null, "malformed_response")]
    [InlineData("response", 1, "malformed_response")]
    [InlineData("response", "AQ", "malformed_response")]
    public void Parse_BadCommonMember_IsRefusedWithItsCode(string member, object? value, string code)
    {
        AssertFails(RegistrationCredential.Parse(With(Registration(), member, value)), code);
        AssertFails(AuthenticationCredential.Parse(With(Authentication(), member, value)), code);
    }

    [Theory]
    [InlineData("clientDataJSON")]
    [InlineData("attestationObject")]
    public void RegistrationParse_MissingOrBadResponseMember_ReturnsMalformedResponse(string member)
    {
        AssertFails(RegistrationCredential.Parse(WithResponse(Registration(), member, null)), "malformed_response");
        AssertFails(RegistrationCredential.Parse(WithResponse(Registration(), member, 1)), "malformed_response");
        AssertFails(RegistrationCredential.Parse(WithResponse(Registration(), member, "AQ==")), "malformed_response");
    }

    [Theory]
    [InlineData("clientDataJSON")]
    [InlineData("authenticatorData")]
    [InlineData("signature")]
    public void AuthenticationParse_MissingOrBadResponseMember_ReturnsMalformedResponse(string member)
    {
        AssertFails(AuthenticationCredential.Parse(WithResponse(Authentication(), member, null)), "malformed_response");
        AssertFails(AuthenticationCredential.Parse(WithResponse(Authentication(), member, 1)), "malformed_response");
        AssertFails(AuthenticationCredential.Parse(WithResponse(Authentication(), member, "AQ==")), "malformed_response");
    }

    [Fact]
    public void Parse_StandardBase64UnderAcceptStandardAlphabet_IsRead()
    {
        var json = Registration();
        json["id"] = "/+8=";
        json["rawId"] = "/+8=";

        Assert.Equal([0xFF, 0xEF], RegistrationCredential.Parse(json.ToJsonString(), Base64Policy.AcceptStandardAlphabet).Value.RawId);
        AssertFails(RegistrationCredential.Parse(json.ToJsonString()), "malformed_response");
    }

    [Fact]
    public void AuthenticationParse_MembersWithJsonEscapes_ReadAsTheirUnescapedText()
    {
        // The same members as Authentication(), each with an escaped character: the value is its unescaped text.
        const string json = """{"type":"public-key","id":"_\u002d8","rawId":"\u005f-8","response":{"clientDataJSON":"A\u0051","authenticatorData":"\u0041gM","signature":"BAU\u0047","userHandle":"B\u0077"}}""";

        var credential = AuthenticationCredential.Parse(json).Value;

        AssertAuthenticationMembers(credential);
    }

    [Theory]
    [InlineData("AQIDB")]
    [InlineData("AQ==")]
    [InlineData("AQ\\u003d\\u003d")]
    [InlineData("A Q")]
    [InlineData("AQ\\n")]
    public void AuthenticationParse_ResponseMemberNotStrictBase64Url_ReturnsMalformedResponse(string escapedValue)
    {
        var json = $$$"""{"type":"public-key","id":"_-8","rawId":"_-8","response":{"clientDataJSON":"{{{escapedValue}}}","authenticatorData":"AgM","signature":"BAUG"}}""";

        AssertFails(AuthenticationCredential.Parse(json), "malformed_response");
    }

    [Fact]
    public void AuthenticationParse_LongMembers_DecodeWhole()
    {
        var data = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        var json = Authentication();
        json["response"]!["clientDataJSON"] = Base64Url.Encode(data);
        json["response"]!["signature"] = Base64Url.Encode(data.AsSpan(0, 71));

        var credential = AuthenticationCredential.Parse(json.ToJsonString()).Value;

        Assert.Equal(data, credential.ClientDataJson);
        Assert.Equal(data.AsSpan(0, 71).ToArray(), credential.Signature);
    }

    [Fact]
    public void Parse_NotBase64UnderStrict_NamesTheMemberAndThePolicy()
    {
        var failure = RegistrationCredential.Parse(With(Registration(), "rawId", "/+8")).Failure!;

        Assert.Contains("rawId is not base64url", failure.Detail, StringComparison.Ordinal);
        Assert.Contains("Base64Policy.AcceptStandardAlphabet", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void RegistrationParse_NoTransports_IsEmpty()
    {
        var json = Registration();
        json["response"]!.AsObject().Remove("transports");

        Assert.Empty(RegistrationCredential.Parse(json.ToJsonString()).Value.Transports);
    }

    [Fact]
    public void RegistrationParse_Transports_KeepsOnlyStringsAndAtMost16()
    {
        var transports = new JsonArray(1, "usb", null, new JsonObject());
        for (var i = 0; i < 20; i++)
        {
            transports.Add($"t{i}");
        }

        var json = Registration();
        json["response"]!["transports"] = transports;
        var read = RegistrationCredential.Parse(json.ToJsonString()).Value.Transports;

        Assert.Equal(16, read.Count);
        Assert.Equal("usb", read[0]);
        Assert.Equal("t14", read[^1]);
    }

    [Fact]
    public void RegistrationParse_TransportsNotAnArray_IsEmpty()
    {
        Assert.Empty(RegistrationCredential.Parse(WithResponse(Registration(), "transports", "usb")).Value.Transports);
    }

    [Fact]
    public void AuthenticationParse_UserHandleAbsentNullOrEmpty_IsNull()
    {
        var absent = Authentication();
        absent["response"]!.AsObject().Remove("userHandle");

        Assert.Null(AuthenticationCredential.Parse(absent.ToJsonString()).Value.UserHandle);
        Assert.Null(AuthenticationCredential.Parse(WithResponse(Authentication(), "userHandle", null, remove: false)).Value.UserHandle);
        Assert.Null(AuthenticationCredential.Parse(WithResponse(Authentication(), "userHandle", "")).Value.UserHandle);
    }

    [Fact]
    public void AuthenticationParse_UserHandleNotBase64_ReturnsMalformedResponse()
    {
        AssertFails(AuthenticationCredential.Parse(WithResponse(Authentication(), "userHandle", "B w")), "malformed_response");
        AssertFails(AuthenticationCredential.Parse(WithResponse(Authentication(), "userHandle", 7)), "malformed_response");
    }

    private static string With(JsonObject json, string member, object? value)
    {
        if (value is null)
        {
            json.Remove(member);
        }
        else
        {
            json[member] = Value(value);
        }

        return json.ToJsonString();
    }

    private static string WithResponse(JsonObject json, string member, object? value, bool remove = true)
    {
        var response = json["response"]!.AsObject();
        if (value is null && remove)
        {
            response.Remove(member);
        }
        else
        {
            response[member] = value is null ? null : Value(value);
        }

        return json.ToJsonString();
    }

    private static JsonValue Value(object value) => value switch
    {
        int i => JsonValue.Create(i),
        string s => JsonValue.Create(s),
        _ => throw new ArgumentException("an int or a string", nameof(value)),
    };

    // The members of Authentication(), as every parse of them must read them.
    private static void AssertAuthenticationMembers(AuthenticationCredential credential)
    {
        Assert.Equal("_-8", credential.Id);
        Assert.Equal([0xFF, 0xEF], credential.RawId);
        Assert.Equal([0x01], credential.ClientDataJson);
        Assert.Equal([0x02, 0x03], credential.AuthenticatorData);
        Assert.Equal([0x04, 0x05, 0x06], credential.Signature);
        Assert.Equal([0x07], credential.UserHandle!);
    }

    private static void AssertFails<T>(WebAuthnResult<T> result, string code)
    {
        Assert.False(result.Succeeded, $"expected {code}, but parsing succeeded");
        Assert.Equal(code, result.Failure.Code);
    }
}
