using System.Text.Json;
using Keyward.WebAuthn.Conformance;

namespace Keyward.WebAuthn.Tests.Vectors;

/// <summary>
/// Every case in tests/vectors/webauthn gives its expected result through the same path as
/// <c>keyward webauthn verify</c>. Decisions on "unknown" cases and on stricter-than-vector policies are in
/// <see cref="VectorDecisions"/> and docs/webauthn.md.
/// </summary>
public sealed class VectorTests
{
    public static TheoryData<string, string> AllCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in VectorFiles.Names)
        {
            foreach (var c in VectorFiles.Cases(file))
            {
                data.Add(file, c.GetProperty("id").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Case_GivesExpectedResult(string file, string id)
    {
        var element = VectorFiles.Case(file, id);
        var expected = VectorDecisions.ExpectedResult(id, element.GetProperty("expected").GetProperty("result").GetString()!);
        var c = VectorCase.Parse(element, out var error);
        Assert.True(c is not null, error);

        var policy = VectorDecisions.Base64PolicyFor(element);
        var (passed, report) = VectorCaseRunner.Run(c!, policy, allowSha1: VectorDecisions.NeedsSha1(id));

        Assert.True(passed == (expected == "pass"), $"{id}: expected {expected}, got {report.ToJsonString()}");
        if (passed && element.GetProperty("expected").TryGetProperty("fmt", out var fmt))
        {
            Assert.Equal(fmt.GetString(), report["fmt"]!.GetValue<string>());
        }

        if (passed)
        {
            AssertExtractedValues(element.GetProperty("expected"), report);
        }
    }

    private static void AssertExtractedValues(JsonElement expected, System.Text.Json.Nodes.JsonObject report)
    {
        if (expected.TryGetProperty("credentialPublicKey", out var key))
        {
            Assert.Equal(key.GetString(), report["credentialPublicKey"]!.GetValue<string>());
        }

        if (expected.TryGetProperty("signCount", out var count))
        {
            Assert.Equal(count.GetUInt32(), report["signCount"]!.GetValue<uint>());
        }

        if (expected.TryGetProperty("flags", out var flags))
        {
            Assert.Equal(flags.GetInt32(), report["flags"]!.GetValue<int>());
        }

        if (expected.TryGetProperty("aaguid", out var aaguid))
        {
            Assert.Equal(aaguid.GetString(), report["aaguid"]!.GetValue<string>());
        }

        if (expected.TryGetProperty("credentialIdLength", out var idLength))
        {
            Assert.Equal(idLength.GetInt32(), Base64Url.TryDecode(report["credentialId"]!.GetValue<string>(), out var id) ? id.Length : -1);
        }

        if (expected.TryGetProperty("alg", out var alg))
        {
            Assert.Equal(alg.GetInt32(), report["alg"]!.GetValue<int>());
        }
    }

    /// <summary>The decided "unknown" cases fail for the reason the decision names, not some other one.</summary>
    [Theory]
    [InlineData("fido2-net-lib/assertionNoneResponse.json", "signature_invalid")]
    [InlineData("fido2-net-lib/attestationAppleResponse.json", "credential_id_mismatch")]
    public void DecidedFailures_FailWithTheirReason(string id, string code)
    {
        var (passed, report) = VectorCaseRunner.Run(VectorCase.Parse(VectorFiles.Case("fido2netlib_vectors.json", id), out _)!);
        Assert.False(passed);
        Assert.Equal(code, report["code"]!.GetValue<string>());
    }

    /// <summary>The SHA-1 TPM capture passes only under DangerousAllowSha1; by default its RS1 key is refused.</summary>
    [Fact]
    public void Sha1Case_DefaultPolicy_ReturnsAlgorithmUnsupported()
    {
        const string id = "fido2-net-lib/attestationTPMSHA1Response.json";
        Assert.True(VectorDecisions.NeedsSha1(id));
        var (passed, report) = VectorCaseRunner.Run(VectorCase.Parse(VectorFiles.Case("fido2netlib_vectors.json", id), out _)!);
        Assert.False(passed);
        Assert.Equal("algorithm_unsupported", report["code"]!.GetValue<string>());
    }

    /// <summary>Cases captured with standard base64 pass only under the documented opt-in, and fail clearly without it.</summary>
    [Fact]
    public void LegacyBase64Cases_StrictPolicy_ReturnMalformedResponse()
    {
        var legacy = VectorFiles.Cases("py_webauthn_vectors.json").Where(c => VectorDecisions.Base64PolicyFor(c) == Base64Policy.AcceptStandardAlphabet).ToList();
        Assert.NotEmpty(legacy);
        foreach (var element in legacy)
        {
            var (passed, report) = VectorCaseRunner.Run(VectorCase.Parse(element, out _)!, Base64Policy.Strict);
            Assert.False(passed);
            Assert.Equal("malformed_response", report["code"]!.GetValue<string>());
        }
    }
}
