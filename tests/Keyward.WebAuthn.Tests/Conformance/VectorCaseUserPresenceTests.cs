using Keyward.WebAuthn.Conformance;
using Keyward.WebAuthn.Tests.Verification;

namespace Keyward.WebAuthn.Tests.Conformance;

/// <summary>WebAuthn L3 §7.2 step 16 has no exception: an assertion without UP is refused, whatever the case says.</summary>
public sealed class VectorCaseUserPresenceTests
{
    [Fact]
    public void AssertionCeremony_Properties_HaveNoUserPresenceSwitch() =>
        Assert.Null(typeof(AssertionCeremony).GetProperty("RequireUserPresence"));

    [Fact]
    public void Run_AuthenticationWithoutUserPresence_ReturnsUserPresenceMissing()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserVerified };
        var c = VectorCase.Parse(CaseFiles.Element(CaseFiles.Authentication(b)), out var error);
        Assert.True(c is not null, error);

        // Even a case object that asks for no UP (only meaningful for registration) cannot switch the check off.
        var (passed, report) = VectorCaseRunner.Run(c! with { RequireUserPresence = false });

        Assert.False(passed);
        Assert.Equal("user_presence_missing", report["code"]!.GetValue<string>());
    }

    [Fact]
    public void Parse_AuthenticationCaseWithUserPresenceFalse_ReturnsErrorNamingTheField()
    {
        using var b = new ResponseBuilder();
        var json = CaseFiles.Authentication(b);
        json["requireUserPresence"] = false;

        var c = VectorCase.Parse(CaseFiles.Element(json), out var error);

        Assert.Null(c);
        Assert.Contains("\"requireUserPresence\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RegistrationCaseWithUserPresenceFalse_KeepsTheSwitch()
    {
        using var b = new ResponseBuilder();
        var json = CaseFiles.Authentication(b);
        json["ceremony"] = "registration";
        json["requireUserPresence"] = false;

        var c = VectorCase.Parse(CaseFiles.Element(json), out var error);

        Assert.True(c is not null, error);
        Assert.False(c!.RequireUserPresence);
    }
}
