using static Keyward.WebAuthn.Tests.Verification.Relying;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>The results read UV, BE and BS from the authenticator data flags, each from its own bit.</summary>
public sealed class ResultFlagsTests
{
    [Theory]
    [InlineData(AuthenticatorFlags.UserPresent, false, false, false)]
    [InlineData(AuthenticatorFlags.UserPresent | AuthenticatorFlags.UserVerified, true, false, false)]
    [InlineData(AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupEligible, false, true, false)]
    [InlineData(AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupEligible | AuthenticatorFlags.BackupState, false, true, true)]
    public void RegistrationResult_FlagProperties(AuthenticatorFlags flags, bool uv, bool be, bool bs)
    {
        using var b = new ResponseBuilder { Flags = flags };

        var result = Create().VerifyRegistration(b.Registration(), Registration(b)).Value;

        Assert.Equal(uv, result.UserVerified);
        Assert.Equal(be, result.BackupEligible);
        Assert.Equal(bs, result.BackedUp);
    }

    [Theory]
    [InlineData(AuthenticatorFlags.UserPresent, false, false)]
    [InlineData(AuthenticatorFlags.UserPresent | AuthenticatorFlags.UserVerified, true, false)]
    [InlineData(AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupEligible | AuthenticatorFlags.BackupState, false, true)]
    public void AssertionResult_FlagProperties(AuthenticatorFlags flags, bool uv, bool bs)
    {
        using var b = new ResponseBuilder { Flags = flags };
        var backupEligible = (flags & AuthenticatorFlags.BackupEligible) != 0;

        var result = Create().VerifyAssertion(b.Assertion(), Ceremony(b), b.Stored(backupEligible: backupEligible)).Value;

        Assert.Equal(uv, result.UserVerified);
        Assert.Equal(bs, result.BackedUp);
        Assert.Equal(flags, result.Flags);
    }
}
