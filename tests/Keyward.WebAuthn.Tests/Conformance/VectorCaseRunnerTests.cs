using System.Text.Json.Nodes;
using Keyward.WebAuthn.Conformance;
using Keyward.WebAuthn.Tests.Verification;

namespace Keyward.WebAuthn.Tests.Conformance;

/// <summary>
/// The report of <c>keyward webauthn verify</c>: a pass carries what was verified (credential id and key, algorithm,
/// counter, flags, AAGUID, attestation), a fail the stable code and the message, and the case's settings (user
/// verification, relying party) are applied.
/// </summary>
public sealed class VectorCaseRunnerTests
{
    [Fact]
    public void Run_RegistrationPass_ReportsWhatWasVerified()
    {
        using var b = new ResponseBuilder();
        var c = Parse(Registration(b));

        var (passed, report) = VectorCaseRunner.Run(c);

        Assert.True(passed, report.ToJsonString());
        Assert.Equal("pass", (string?)report["result"]);
        Assert.True(report.ContainsKey("code"));
        Assert.Null(report["code"]);
        Assert.Equal("Registration verified: none attestation (None), Ec2 ES256 P256 key.", (string?)report["message"]);
        Assert.Equal("none", (string?)report["fmt"]);
        Assert.Equal("none", (string?)report["attestationType"]);
        Assert.False((bool?)report["attestationTrusted"]);
        Assert.Equal(Base64Url.Encode(b.CredentialId), (string?)report["credentialId"]);
        Assert.Equal(Base64Url.Encode(b.CoseKey()), (string?)report["credentialPublicKey"]);
        Assert.Equal(-7, (int?)report["alg"]);
        Assert.Equal(5u, (uint?)report["signCount"]);
        Assert.Equal((int)(AuthenticatorFlags.UserPresent | AuthenticatorFlags.UserVerified | AuthenticatorFlags.AttestedCredentialData), (int?)report["flags"]);
        Assert.Equal("00000000000000000000000000000000", (string?)report["aaguid"]);
    }

    [Fact]
    public void Run_AuthenticationPass_ReportsWhatWasVerified()
    {
        using var b = new ResponseBuilder { SignCount = 9, Flags = AuthenticatorFlags.UserPresent };
        var c = Parse(CaseFiles.Authentication(b));

        var (passed, report) = VectorCaseRunner.Run(c);

        Assert.True(passed, report.ToJsonString());
        Assert.Equal("pass", (string?)report["result"]);
        Assert.Null(report["code"]);
        Assert.Equal("Assertion verified; new signature counter 9.", (string?)report["message"]);
        Assert.Equal(Base64Url.Encode(b.CredentialId), (string?)report["credentialId"]);
        Assert.Equal(9u, (uint?)report["signCount"]);
        Assert.Equal((int)AuthenticatorFlags.UserPresent, (int?)report["flags"]);
        Assert.False((bool?)report["userVerified"]);
        Assert.False((bool?)report["possibleClone"]);
    }

    [Fact]
    public void Run_AuthenticationFail_ReportsCodeAndMessage()
    {
        using var b = new ResponseBuilder { TamperSignature = true };

        var (passed, report) = VectorCaseRunner.Run(Parse(CaseFiles.Authentication(b)));

        Assert.False(passed);
        Assert.Equal("fail", (string?)report["result"]);
        Assert.Equal("signature_invalid", (string?)report["code"]);
        Assert.Equal(new WebAuthnFailure(WebAuthnErrorCode.SignatureInvalid).Message, (string?)report["message"]);
    }

    [Fact]
    public void Run_RegistrationFail_ReportsTheCode()
    {
        using var b = new ResponseBuilder { AuthRpId = "other.example" };

        var (passed, report) = VectorCaseRunner.Run(Parse(Registration(b)));

        Assert.False(passed);
        Assert.Equal("rp_id_mismatch", (string?)report["code"]);
    }

    [Fact]
    public void Run_ResponseThatIsNotACredential_ReportsMalformedResponse()
    {
        using var b = new ResponseBuilder();
        var registration = Registration(b);
        registration["response"]!.AsObject().Remove("type");
        var authentication = CaseFiles.Authentication(b);
        authentication["response"]!.AsObject().Remove("type");

        Assert.Equal("malformed_response", (string?)VectorCaseRunner.Run(Parse(registration)).Report["code"]);
        Assert.Equal("malformed_response", (string?)VectorCaseRunner.Run(Parse(authentication)).Report["code"]);
    }

    [Fact]
    public void Run_RequireUserVerification_IsApplied()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserPresent };
        var authentication = CaseFiles.Authentication(b);
        authentication["requireUserVerification"] = true;
        var registration = Registration(b);
        registration["requireUserVerification"] = true;

        Assert.Equal("user_verification_missing", (string?)VectorCaseRunner.Run(Parse(authentication)).Report["code"]);
        Assert.Equal("user_verification_missing", (string?)VectorCaseRunner.Run(Parse(registration)).Report["code"]);
    }

    [Fact]
    public void Run_InvalidRelyingPartySettings_ReportsMalformedResponseNamingTheSettings()
    {
        using var b = new ResponseBuilder();
        var json = CaseFiles.Authentication(b);
        json["origin"] = "https://example.org/path";

        var (passed, report) = VectorCaseRunner.Run(Parse(json));

        Assert.False(passed);
        Assert.Equal("malformed_response", (string?)report["code"]);
        Assert.Contains("relying party settings are invalid", (string?)report["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void Run_RequireTrustWithoutAnchors_IsAnInvalidSetting()
    {
        using var b = new ResponseBuilder();

        var (passed, report) = VectorCaseRunner.Run(Parse(Registration(b)), requireTrust: true);

        Assert.False(passed);
        Assert.Contains("TrustAnchors", (string?)report["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void Run_StandardBase64Response_OnlyUnderAcceptStandardAlphabet()
    {
        using var b = new ResponseBuilder();
        var json = CaseFiles.Authentication(b);
        var response = json["response"]!.AsObject();
        var standard = Convert.ToBase64String(b.CredentialId);
        response["id"] = standard;
        response["rawId"] = standard;

        Assert.Equal("malformed_response", (string?)VectorCaseRunner.Run(Parse(json)).Report["code"]);
        Assert.True(VectorCaseRunner.Run(Parse(json), Base64Policy.AcceptStandardAlphabet).Passed);
    }

    private static JsonObject Registration(ResponseBuilder b) => new()
    {
        ["ceremony"] = "registration",
        ["rpId"] = ResponseBuilder.RpId,
        ["origin"] = ResponseBuilder.Origin,
        ["challenge"] = Base64Url.Encode(b.Challenge),
        ["response"] = b.RegistrationJson(),
    };

    private static VectorCase Parse(JsonObject json)
    {
        var c = VectorCase.Parse(CaseFiles.Element(json), out var error);
        Assert.True(c is not null, error);
        return c!;
    }
}
