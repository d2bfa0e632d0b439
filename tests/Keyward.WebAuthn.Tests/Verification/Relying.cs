using Microsoft.Extensions.Time.Testing;

namespace Keyward.WebAuthn.Tests.Verification;

internal static class Relying
{
    public static RelyingPartyPolicy Policy { get; } = new()
    {
        RpId = ResponseBuilder.RpId,
        Origins = [ResponseBuilder.Origin],
    };

    public static RelyingParty Create(RelyingPartyPolicy? policy = null) => new(policy ?? Policy, new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));

    public static AssertionCeremony Ceremony(ResponseBuilder b, UserVerificationRequirement uv = UserVerificationRequirement.Preferred) =>
        new() { Challenge = b.Challenge, UserVerification = uv, UserIdentified = true };

    public static RegistrationCeremony Registration(ResponseBuilder b, UserVerificationRequirement uv = UserVerificationRequirement.Preferred) =>
        new() { Challenge = b.Challenge, UserVerification = uv };

    public static void AssertFails<T>(WebAuthnResult<T> result, string code)
    {
        Assert.False(result.Succeeded, $"expected {code}, but the ceremony succeeded");
        Assert.Equal(code, result.Failure.Code);
    }
}
