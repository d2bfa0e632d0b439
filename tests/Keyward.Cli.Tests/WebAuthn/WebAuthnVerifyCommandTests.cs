using System.Text.Json.Nodes;
using Keyward.Cli.WebAuthn;

namespace Keyward.Cli.Tests.WebAuthn;

/// <summary>
/// <c>keyward webauthn verify</c>: a case file with a member of the wrong type or out of range exits 2 with
/// <c>unusable_input</c> and one line naming the member and what it must be (not an unhandled exception, exit 1).
/// </summary>
public sealed class WebAuthnVerifyCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("keyward-webauthn-").FullName;

    public static TheoryData<string, string, string> UnusableFields() => new()
    {
        { "storedSignCount", "\"100\"", "\"storedSignCount\" must be an integer from 0 to 4294967295, not a string" },
        { "storedSignCount", "-1", "\"storedSignCount\" must be an integer from 0 to 4294967295, not -1" },
        { "storedSignCount", "0.5", "\"storedSignCount\" must be an integer from 0 to 4294967295, not 0.5" },
        { "storedSignCount", "4294967296", "\"storedSignCount\" must be an integer from 0 to 4294967295, not 4294967296" },
        { "origin", "[1]", "\"origin\" must be a string or a list of strings; item 0 is 1" },
        { "pubKeyCredParamsAlgs", "[\"-7\"]", "\"pubKeyCredParamsAlgs\" must be a list of integers (COSE algorithm ids); item 0 is a string" },
        { "challenge", "5", "\"challenge\" must be a string, not 5" },
        { "allowedTopOrigins", "[1]", "\"allowedTopOrigins\" must be a list of strings; item 0 is 1" },
        { "trustAnchorsDerHex", "[1]", "\"trustAnchorsDerHex\" must be a list of hex strings (DER certificates); item 0 is 1" },
        { "verificationTime", "5", "\"verificationTime\" must be a string holding an ISO 8601 instant, not 5" },
    };

    [Fact]
    public void Verify_WellTypedCaseWithBadResponse_ExitsOne()
    {
        var (code, report) = Run(Case());

        Assert.Equal(1, code);
        Assert.Equal("fail", report["result"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(UnusableFields))]
    public void Verify_WrongTypedOrOutOfRangeField_ExitsTwoNamingTheField(string field, string json, string message)
    {
        var c = Case();
        c[field] = JsonNode.Parse(json);

        var (code, report) = Run(c);

        Assert.Equal(2, code);
        Assert.Equal("unusable_input", report["code"]!.GetValue<string>());
        Assert.Equal($"case.json: {message}", report["message"]!.GetValue<string>());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // Well typed; the response is empty, so verification itself fails (exit 1): only the member under test can make it 2.
    private static JsonObject Case() => new()
    {
        ["ceremony"] = "authentication",
        ["rpId"] = "example.org",
        ["origin"] = "https://example.org",
        ["challenge"] = "AAAA",
        ["credentialPublicKey"] = "AAAA",
        ["storedSignCount"] = 0,
        ["response"] = new JsonObject(),
    };

    private (int Code, JsonObject Report) Run(JsonObject c)
    {
        var file = new FileInfo(Path.Combine(_directory, "case.json"));
        File.WriteAllText(file.FullName, c.ToJsonString());
        using var output = new StringWriter();

        var code = WebAuthnCommands.Verify(file, acceptStandardBase64: false, allowSha1: false, output);

        return (code, JsonNode.Parse(output.ToString())!.AsObject());
    }
}
