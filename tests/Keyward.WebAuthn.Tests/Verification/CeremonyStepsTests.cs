using System.Text;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// The ceremony steps one at a time, over the whole table of their inputs: crossOrigin and topOrigin against the
/// policy (§7.1 step 10 / §7.2 step 14), the signature counter (§7.2 step 22, including both counters at 0), the
/// backup flags (§7.2 step 18), the token binding status and an origin list with more than one entry.
/// </summary>
public sealed class CeremonyStepsTests
{
    private const string Top = "https://top.example";

    [Theory]
    [InlineData(false, null, false, null)]
    [InlineData(true, null, false, "crossOrigin is true")]
    [InlineData(true, null, true, null)]
    [InlineData(false, Top, false, "topOrigin is present")]
    [InlineData(false, Top, true, null)]
    [InlineData(true, Top, true, null)]
    [InlineData(true, "https://evil.example", true, "is not allowed")]
    [InlineData(false, "https://evil.example", true, "is not allowed")]
    [InlineData(true, Top, false, "crossOrigin is true")]
    public void VerifyCrossOrigin_EveryCombination(bool crossOrigin, string? topOrigin, bool allowCrossOrigin, string? refusal)
    {
        var policy = Relying.Policy with { AllowCrossOrigin = allowCrossOrigin, AllowedTopOrigins = ["https://first.example", Top] };

        var failure = CeremonySteps.VerifyCrossOrigin(ClientData(crossOrigin, topOrigin), policy);

        if (refusal is null)
        {
            Assert.Null(failure);
        }
        else
        {
            Assert.Equal(WebAuthnErrorCode.CrossOriginNotAllowed, failure?.Error);
            Assert.Contains(refusal, failure!.Detail, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0u, 0u, false)]     // an authenticator without a counter
    [InlineData(0u, 1u, false)]
    [InlineData(4u, 5u, false)]
    [InlineData(5u, 5u, true)]
    [InlineData(5u, 4u, true)]
    [InlineData(5u, 0u, true)]      // a counter that stops counting
    [InlineData(uint.MaxValue, uint.MaxValue, true)]
    public void VerifySignCount_EveryCase(uint stored, uint received, bool clone)
    {
        var rejected = CeremonySteps.VerifySignCount(stored, received, SignCountPolicy.Reject, out var possibleClone);
        var reported = CeremonySteps.VerifySignCount(stored, received, SignCountPolicy.AcceptAndFlag, out var reportedClone);

        Assert.Equal(clone, possibleClone);
        Assert.Equal(clone, reportedClone);
        Assert.Equal(clone ? WebAuthnErrorCode.SignCountRegressed : null, rejected?.Error);
        Assert.Null(reported);
    }

    [Theory]
    [InlineData(AuthenticatorFlags.UserPresent, null, null)]
    [InlineData(AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupEligible, null, null)]
    [InlineData(AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupEligible | AuthenticatorFlags.BackupState, true, null)]
    [InlineData(AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupState, null, "BS is set but BE is not")]
    [InlineData(AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupState, false, "BS is set but BE is not")]
    [InlineData(AuthenticatorFlags.UserPresent, true, "BE differs from registration")]
    [InlineData(AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupEligible, false, "BE differs from registration")]
    [InlineData(AuthenticatorFlags.UserPresent, false, null)]
    public void VerifyBackupFlags_EveryCase(AuthenticatorFlags flags, bool? storedBackupEligible, string? refusal)
    {
        var failure = CeremonySteps.VerifyBackupFlags(AuthData(flags), storedBackupEligible);

        if (refusal is null)
        {
            Assert.Null(failure);
        }
        else
        {
            Assert.Equal(WebAuthnErrorCode.BackupStateInvalid, failure?.Error);
            Assert.Equal(refusal, failure!.Detail);
        }
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("present", true)]
    [InlineData("supported", true)]
    [InlineData("not-supported", false)]
    [InlineData("Present", false)]
    public void VerifyTokenBinding_OnlyPresentOrSupported(string? status, bool accepted)
    {
        var json = status is null
            ? """{"type":"webauthn.get","challenge":"AA","origin":"https://example.org"}"""
            : "{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"https://example.org\",\"tokenBinding\":{\"status\":\"" + status + "\"}}";
        var clientData = CollectedClientData.Parse(Encoding.UTF8.GetBytes(json)).Value;

        var failure = CeremonySteps.VerifyTokenBinding(clientData);

        Assert.Equal(accepted ? null : WebAuthnErrorCode.TokenBindingInvalid, failure?.Error);
    }

    [Fact]
    public void VerifyOrigin_AnyListedOrigin_NoOther()
    {
        string[] allowed = ["https://a.example", "https://example.org"];

        Assert.Null(CeremonySteps.VerifyOrigin(ClientData(false, null), allowed));
        Assert.Equal(WebAuthnErrorCode.OriginMismatch, CeremonySteps.VerifyOrigin(ClientData(false, null), ["https://a.example"])?.Error);
        Assert.Equal(WebAuthnErrorCode.OriginMismatch, CeremonySteps.VerifyOrigin(ClientData(false, null), [])?.Error);
    }

    [Fact]
    public void VerifyUserPresenceAndVerification_OnlyWhenRequired()
    {
        var none = AuthData(0);

        Assert.Null(CeremonySteps.VerifyUserPresence(none, required: false));
        Assert.Equal(WebAuthnErrorCode.UserPresenceMissing, CeremonySteps.VerifyUserPresence(none, required: true)?.Error);
        Assert.Null(CeremonySteps.VerifyUserVerification(none, UserVerificationRequirement.Preferred));
        Assert.Null(CeremonySteps.VerifyUserVerification(none, UserVerificationRequirement.Discouraged));
        Assert.Equal(WebAuthnErrorCode.UserVerificationMissing, CeremonySteps.VerifyUserVerification(none, UserVerificationRequirement.Required)?.Error);
        Assert.Null(CeremonySteps.VerifyUserVerification(AuthData(AuthenticatorFlags.UserVerified), UserVerificationRequirement.Required));
    }

    private static CollectedClientData ClientData(bool crossOrigin, string? topOrigin)
    {
        var top = topOrigin is null ? string.Empty : $",\"topOrigin\":\"{topOrigin}\"";
        var json = $"{{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"https://example.org\",\"crossOrigin\":{(crossOrigin ? "true" : "false")}{top}}}";
        var parsed = CollectedClientData.Parse(Encoding.UTF8.GetBytes(json));
        Assert.True(parsed.Succeeded, parsed.Failure?.ToString());
        return parsed.Value;
    }

    private static AuthenticatorData AuthData(AuthenticatorFlags flags)
    {
        var parsed = AuthenticatorData.Parse([.. new byte[32], (byte)flags, 0, 0, 0, 0]);
        Assert.True(parsed.Succeeded, parsed.Failure?.ToString());
        return parsed.Value;
    }
}
