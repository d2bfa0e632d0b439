using Keyward.WebAuthn.Cose;
using static Keyward.WebAuthn.Tests.Verification.Relying;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// When two checks fail, the one the specification runs first is reported (WebAuthn L3 §7.1 and §7.2 list the steps
/// in order). Each case breaks two adjacent steps; reporting the later one would mean the steps ran out of order.
/// </summary>
public sealed class StepOrderTests
{
    private static readonly AuthenticatorFlags UpUv = AuthenticatorFlags.UserPresent | AuthenticatorFlags.UserVerified;

    private static WebAuthnResult<AssertionResult> Assert(ResponseBuilder b, AssertionCeremony? ceremony = null, StoredCredential? stored = null) =>
        Create().VerifyAssertion(b.Assertion(), ceremony ?? Ceremony(b), stored ?? b.Stored());

    private static WebAuthnResult<RegistrationResult> Register(ResponseBuilder b, RegistrationCeremony? ceremony = null) =>
        Create().VerifyRegistration(b.Registration(), ceremony ?? Registration(b));

    [Fact]
    public void ClientData_WrongTypeAndChallenge_ReportsType()
    {
        using var b = new ResponseBuilder { Type = "webauthn.create", ChallengeText = Base64Url.Encode(new byte[32]) };
        AssertFails(Assert(b), "client_data_type_mismatch");
    }

    [Fact]
    public void ClientData_WrongChallengeAndOrigin_ReportsChallenge()
    {
        using var b = new ResponseBuilder { ChallengeText = Base64Url.Encode(new byte[32]), ClientOrigin = "https://evil.example" };
        AssertFails(Assert(b), "challenge_mismatch");
    }

    [Fact]
    public void ClientData_WrongOriginAndCrossOrigin_ReportsOrigin()
    {
        using var b = new ResponseBuilder { ClientOrigin = "https://evil.example", CrossOrigin = true };
        AssertFails(Assert(b), "origin_mismatch");
    }

    [Fact]
    public void ClientData_CrossOriginAndTokenBinding_ReportsCrossOrigin()
    {
        using var b = new ResponseBuilder { CrossOrigin = true, TokenBindingJson = "{\"status\":\"not-supported\"}" };
        AssertFails(Assert(b), "cross_origin_not_allowed");
    }

    [Fact]
    public void Assertion_NotAllowedAndWrongUserHandle_ReportsNotAllowed()
    {
        using var b = new ResponseBuilder { ResponseUserHandle = new byte[16] };
        var ceremony = Ceremony(b) with { AllowCredentials = [new byte[32]] };
        AssertFails(Assert(b, ceremony), "credential_not_allowed");
    }

    [Fact]
    public void Assertion_NoPresenceAndNoVerification_ReportsPresence()
    {
        using var b = new ResponseBuilder { Flags = 0 };
        AssertFails(Assert(b, Ceremony(b, UserVerificationRequirement.Required)), "user_presence_missing");
    }

    [Fact]
    public void Assertion_NoVerificationAndBadBackupFlags_ReportsVerification()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupState };
        AssertFails(Assert(b, Ceremony(b, UserVerificationRequirement.Required)), "user_verification_missing");
    }

    [Fact]
    public void Registration_NoPresenceAndNoVerification_ReportsPresence()
    {
        using var b = new ResponseBuilder { Type = "webauthn.create", Flags = 0 };
        AssertFails(Register(b, Registration(b, UserVerificationRequirement.Required)), "user_presence_missing");
    }

    [Fact]
    public void Registration_NoVerificationAndBadBackupFlags_ReportsVerification()
    {
        using var b = new ResponseBuilder { Type = "webauthn.create", Flags = AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupState };
        AssertFails(Register(b, Registration(b, UserVerificationRequirement.Required)), "user_verification_missing");
    }

    [Fact]
    public void Registration_BadBackupFlagsAndAlgorithmNotOffered_ReportsBackupFlags()
    {
        using var b = new ResponseBuilder { Type = "webauthn.create", Flags = UpUv | AuthenticatorFlags.BackupState };
        AssertFails(Register(b, Registration(b) with { Algorithms = [CoseAlgorithm.EdDSA] }), "backup_state_invalid");
    }

    [Fact]
    public void Registration_AlgorithmNotOfferedAndCredentialIdMismatch_ReportsAlgorithm()
    {
        using var b = new ResponseBuilder { Type = "webauthn.create", CredentialIdInAuthData = new byte[16] };
        AssertFails(Register(b, Registration(b) with { Algorithms = [CoseAlgorithm.EdDSA] }), "algorithm_not_allowed");
    }
}
