using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary><see cref="RelyingPartyPolicy.Validate"/> at the edge of every limit: one step inside is accepted, one outside names the setting.</summary>
public sealed class RelyingPartyPolicyTests
{
    private static readonly RelyingPartyPolicy Usable = Relying.Policy;

    [Fact]
    public void Validate_TheTestPolicy_IsUsable() => Assert.Empty(Usable.Validate());

    [Fact]
    public void Validate_EveryLimitAtItsEdge_IsAccepted()
    {
        Assert.Empty((Usable with { ChallengeLength = 16 }).Validate());
        Assert.Empty((Usable with { ChallengeLength = 1024 }).Validate());
        Assert.Empty((Usable with { MaxAttestationObjectLength = 1024 }).Validate());
        Assert.Empty((Usable with { Timeout = TimeSpan.FromTicks(1) }).Validate());
        Assert.Empty((Usable with { Algorithms = [CoseAlgorithm.RS1], DangerousAllowSha1 = true }).Validate());
        Assert.Empty((Usable with { Origins = ["https://example.org", "https://login.example.org:8443"] }).Validate());
    }

    public static TheoryData<string, RelyingPartyPolicy> OneStepOutside => new()
    {
        { "RpId", Usable with { RpId = " " } },
        { "RpId", Usable with { RpId = "https://example.org" } },
        { "RpId", Usable with { RpId = "example.org/login" } },
        { "Origins must list", Usable with { Origins = [] } },
        { "Origin \"https://example.org/\"", Usable with { Origins = ["https://example.org/"] } },
        { "Origin \"https://example.org/login\"", Usable with { Origins = ["https://example.org/login"] } },
        { "Origin \"example.org\"", Usable with { Origins = ["example.org"] } },
        { "ChallengeLength", Usable with { ChallengeLength = 15 } },
        { "ChallengeLength", Usable with { ChallengeLength = 1025 } },
        { "Algorithms must offer", Usable with { Algorithms = [] } },
        { "Algorithms offers RS1", Usable with { Algorithms = [CoseAlgorithm.ES256, CoseAlgorithm.RS1] } },
        { "AttestationTrust RequireTrusted", Usable with { AttestationTrust = AttestationTrustPolicy.RequireTrusted } },
        { "Timeout", Usable with { Timeout = TimeSpan.Zero } },
        { "MaxAttestationObjectLength", Usable with { MaxAttestationObjectLength = 1023 } },
    };

    [Theory]
    [MemberData(nameof(OneStepOutside))]
    public void Validate_OneStepOutsideALimit_SaysWhichSetting(string start, RelyingPartyPolicy policy) =>
        Assert.StartsWith(start, Assert.Single(policy.Validate()), StringComparison.Ordinal);

    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var policy = new RelyingPartyPolicy { RpId = "example.org", Origins = ["https://example.org"] };

        Assert.Equal("Keyward", policy.RpName);
        Assert.Equal(32, policy.ChallengeLength);
        Assert.Equal(TimeSpan.FromMinutes(5), policy.Timeout);
        Assert.Equal(64 * 1024, policy.MaxAttestationObjectLength);
        Assert.Equal(SignCountPolicy.Reject, policy.SignCount);
        Assert.Equal(AttestationTrustPolicy.Report, policy.AttestationTrust);
        Assert.Equal(Base64Policy.Strict, policy.Base64);
        Assert.False(policy.AllowCrossOrigin);
        Assert.False(policy.DangerousAllowSha1);
    }

    [Fact]
    public void Constructor_InvalidPolicy_Throws() =>
        Assert.ThrowsAny<ArgumentException>(() => Relying.Create(Usable with { ChallengeLength = 1 }));
}
