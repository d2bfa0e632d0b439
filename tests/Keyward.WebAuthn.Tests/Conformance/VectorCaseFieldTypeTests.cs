using System.Text.Json.Nodes;
using Keyward.WebAuthn.Conformance;
using Keyward.WebAuthn.Tests.Verification;

namespace Keyward.WebAuthn.Tests.Conformance;

/// <summary>
/// Case files are written by hand: a member of the wrong type or out of range is refused with one line naming the
/// member and what it must be, never an exception and never a silent default.
/// </summary>
public sealed class VectorCaseFieldTypeTests
{
    public static TheoryData<string, string, string> WrongFields() => new()
    {
        { "ceremony", "5", "must be a string" },
        { "rpId", "[\"example.org\"]", "must be a string" },
        { "origin", "[1]", "must be a string or a list of strings; item 0 is 1" },
        { "origin", "{}", "must be a string or a list of strings, not an object" },
        { "challenge", "5", "must be a string, not 5" },
        { "credentialPublicKey", "true", "must be a string, not a boolean" },
        { "response", "\"{}\"", "must be the PublicKeyCredential JSON (toJSON()) object, not a string" },
        { "allowCrossOrigin", "\"false\"", "must be true or false, not a string" },
        { "allowedTopOrigins", "\"https://a.example\"", "must be a list of strings, not a string" },
        { "allowedTopOrigins", "[null]", "must be a list of strings; item 0 is null" },
        { "requireUserVerification", "1", "must be true or false, not 1" },
        { "pubKeyCredParamsAlgs", "[\"-7\"]", "must be a list of integers (COSE algorithm ids); item 0 is a string" },
        { "pubKeyCredParamsAlgs", "[-7.5]", "must be a list of integers (COSE algorithm ids); item 0 is -7.5" },
        { "pubKeyCredParamsAlgs", "-7", "must be a list of integers (COSE algorithm ids), not -7" },
        { "trustAnchorsDerHex", "[1]", "must be a list of hex strings (DER certificates); item 0 is 1" },
        { "trustAnchorsDerHex", "\"3082\"", "must be a list of hex strings (DER certificates), not a string" },
        { "verificationTime", "1700000000", "must be a string holding an ISO 8601 instant, not 1700000000" },
        { "storedSignCount", "\"100\"", "must be an integer from 0 to 4294967295, not a string" },
        { "storedBackupEligible", "\"yes\"", "must be true or false, not a string" },
    };

    public static TheoryData<string> OutOfRangeSignCounts() => new() { "-1", "1.5", "4294967296", "99999999999999999999999" };

    [Theory]
    [MemberData(nameof(WrongFields))]
    public void Parse_WrongTypedField_ReturnsErrorNamingFieldAndType(string field, string json, string expected)
    {
        var error = ParseWith(field, json);

        Assert.StartsWith($"\"{field}\" ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [MemberData(nameof(OutOfRangeSignCounts))]
    public void Parse_StoredSignCountOutOfRange_ReturnsErrorNamingField(string json)
    {
        var error = ParseWith("storedSignCount", json);

        Assert.StartsWith("\"storedSignCount\" must be an integer from 0 to 4294967295", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", 0u)]
    [InlineData("4294967295", uint.MaxValue)]
    [InlineData("null", 0u)]
    public void Parse_StoredSignCountInRange_ReadsIt(string json, uint expected)
    {
        using var b = new ResponseBuilder();
        var c = CaseFiles.Authentication(b);
        c["storedSignCount"] = JsonNode.Parse(json);

        var parsed = VectorCase.Parse(CaseFiles.Element(c), out var error);

        Assert.True(parsed is not null, error);
        Assert.Equal(expected, parsed!.StoredSignCount);
    }

    private static string ParseWith(string field, string json)
    {
        using var b = new ResponseBuilder();
        var c = CaseFiles.Authentication(b);
        c[field] = JsonNode.Parse(json);

        var parsed = VectorCase.Parse(CaseFiles.Element(c), out var error);

        Assert.Null(parsed);
        Assert.NotNull(error);
        return error!;
    }
}
