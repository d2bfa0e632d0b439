using Keyward.WebAuthn;
using Keyward.WebAuthn.Cose;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Authenticator.Tests;

/// <summary>The virtual key against Keyward's relying party: every response it makes must verify.</summary>
public class RoundTripTests
{
    private const string Origin = "https://example.org";

    private static RelyingParty NewRelyingParty(params CoseAlgorithm[] algorithms) => new(
        new RelyingPartyPolicy
        {
            RpId = "example.org",
            Origins = [Origin],
            Algorithms = algorithms.Length == 0 ? [CoseAlgorithm.ES256, CoseAlgorithm.EdDSA, CoseAlgorithm.Ed25519] : algorithms,
        },
        new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero)));

    [Theory]
    [InlineData(CoseAlgorithm.ES256)]
    [InlineData(CoseAlgorithm.EdDSA)]
    [InlineData(CoseAlgorithm.Ed25519)]
    public void Register_PackedSelf_VerifiesAsSelfAttestation(CoseAlgorithm algorithm)
    {
        var rp = NewRelyingParty(algorithm);
        var key = VirtualAuthenticator.Create();

        var (registration, _) = Register(rp, key, new RegistrationOptionsRequest { UserName = "alice", Attestation = AttestationConveyance.Direct });

        Assert.Equal("packed", registration.Format);
        Assert.Equal(AttestationType.Self, registration.AttestationType);
        Assert.Equal(algorithm, registration.PublicKey.Algorithm);
        Assert.Equal(VirtualAuthenticatorOptions.DefaultAaguid, registration.Aaguid);
        Assert.Equal(["usb"], registration.Transports);
    }

    [Theory]
    [InlineData(CoseAlgorithm.ES256, VirtualAttestation.None, AttestationConveyance.Direct)]
    [InlineData(CoseAlgorithm.Ed25519, VirtualAttestation.None, AttestationConveyance.Direct)]
    [InlineData(CoseAlgorithm.ES256, VirtualAttestation.PackedSelf, AttestationConveyance.None)]
    public void Register_NoneAttestation_Verifies(CoseAlgorithm algorithm, VirtualAttestation attestation, AttestationConveyance conveyance)
    {
        var rp = NewRelyingParty(algorithm);
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { Attestation = attestation });

        var (registration, _) = Register(rp, key, new RegistrationOptionsRequest { UserName = "alice", Attestation = conveyance });

        Assert.Equal("none", registration.Format);
        Assert.Equal(AttestationType.None, registration.AttestationType);
    }

    [Theory]
    [InlineData(CoseAlgorithm.ES256, VirtualAttestation.PackedSelf)]
    [InlineData(CoseAlgorithm.ES256, VirtualAttestation.None)]
    [InlineData(CoseAlgorithm.EdDSA, VirtualAttestation.PackedSelf)]
    [InlineData(CoseAlgorithm.Ed25519, VirtualAttestation.None)]
    public void SignIn_AllowListWithUvRequired_Verifies(CoseAlgorithm algorithm, VirtualAttestation attestation)
    {
        var rp = NewRelyingParty(algorithm);
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { Attestation = attestation });
        var (registration, stored) = Register(rp, key, new RegistrationOptionsRequest
        {
            UserName = "alice",
            UserVerification = UserVerificationRequirement.Required,
            ResidentKey = ResidentKeyRequirement.Discouraged,
            Attestation = AttestationConveyance.Direct,
        });

        var result = SignIn(rp, key, stored, new AuthenticationOptionsRequest
        {
            AllowCredentials = [new CredentialDescriptor(stored.CredentialId, registration.Transports)],
            UserVerification = UserVerificationRequirement.Required,
        });

        Assert.True(registration.UserVerified);
        Assert.True(result.UserVerified);
        Assert.Equal(1u, result.SignCount);
        Assert.Equal(stored.CredentialId, result.CredentialId);
    }

    [Theory]
    [InlineData(CoseAlgorithm.ES256)]
    [InlineData(CoseAlgorithm.Ed25519)]
    public void SignIn_Discoverable_ReturnsUserHandleAndVerifies(CoseAlgorithm algorithm)
    {
        var rp = NewRelyingParty(algorithm);
        var key = VirtualAuthenticator.Create();
        var (_, stored) = Register(rp, key, new RegistrationOptionsRequest { UserName = "alice", ResidentKey = ResidentKeyRequirement.Required });

        var options = rp.CreateAuthenticationOptions(new AuthenticationOptionsRequest());
        var response = AuthenticationCredential.Parse(key.GetAssertion(options.ToJson(), Origin)).Value;
        var result = rp.VerifyAssertion(response, options.Ceremony, stored);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.False(options.Ceremony.UserIdentified);
        Assert.Equal(stored.UserHandle, response.UserHandle);
    }

    [Fact]
    public void SignIn_Twice_CounterIncreasesAndTheSecondVerifiesAgainstTheFirstsCount()
    {
        var rp = NewRelyingParty();
        var key = VirtualAuthenticator.Create();
        var (_, stored) = Register(rp, key, new RegistrationOptionsRequest { UserName = "alice" });
        var allow = new AuthenticationOptionsRequest { AllowCredentials = [new CredentialDescriptor(stored.CredentialId, ["usb"])] };

        var first = SignIn(rp, key, stored, allow);
        stored = stored with { SignCount = first.SignCount };
        var second = SignIn(rp, key, stored, allow);

        Assert.Equal(1u, first.SignCount);
        Assert.Equal(2u, second.SignCount);
        Assert.False(second.PossibleClone);
    }

    [Fact]
    public void SignIn_ReplayedOlderAssertion_IsRefusedByTheCounter()
    {
        var rp = NewRelyingParty();
        var key = VirtualAuthenticator.Create();
        var (_, stored) = Register(rp, key, new RegistrationOptionsRequest { UserName = "alice" });
        var options = rp.CreateAuthenticationOptions(new AuthenticationOptionsRequest { AllowCredentials = [new CredentialDescriptor(stored.CredentialId, ["usb"])] });
        var old = AuthenticationCredential.Parse(key.GetAssertion(options.ToJson(), Origin)).Value;
        key.GetAssertion(options.ToJson(), Origin);

        var result = rp.VerifyAssertion(old, options.Ceremony, stored with { SignCount = 2 });

        Assert.Equal(WebAuthnErrorCode.SignCountRegressed, result.Failure?.Error);
    }

    [Fact]
    public void SignIn_ZeroCounter_VerifiesEveryTime()
    {
        var rp = NewRelyingParty();
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { SignCounter = SignCounterMode.Zero, BackupEligible = true, BackedUp = true });
        var (registration, stored) = Register(rp, key, new RegistrationOptionsRequest { UserName = "alice", ResidentKey = ResidentKeyRequirement.Required });
        var allow = new AuthenticationOptionsRequest { AllowCredentials = [new CredentialDescriptor(stored.CredentialId, ["usb"])] };

        var first = SignIn(rp, key, stored, allow);
        var second = SignIn(rp, key, stored with { SignCount = first.SignCount }, allow);

        Assert.True(registration.BackupEligible);
        Assert.Equal(0u, second.SignCount);
        Assert.True(second.BackedUp);
        Assert.False(second.PossibleClone);
    }

    [Fact]
    public void SignIn_FromALoadedKeyFile_Verifies()
    {
        var rp = NewRelyingParty();
        var key = VirtualAuthenticator.Create(TestOptions.Fast);
        var (_, stored) = Register(rp, key, new RegistrationOptionsRequest { UserName = "alice", ResidentKey = ResidentKeyRequirement.Required });
        var path = Path.Combine(Path.GetTempPath(), $"keyward-roundtrip-{Guid.NewGuid():N}.json");
        try
        {
            key.Save(path, "passphrase");
            var loaded = VirtualAuthenticator.Load(path, "passphrase");

            var result = SignIn(rp, loaded, stored, new AuthenticationOptionsRequest());

            Assert.Equal(1u, result.SignCount);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Register_ExcludedCredential_IsRefusedByTheKey()
    {
        var rp = NewRelyingParty();
        var key = VirtualAuthenticator.Create();
        var (_, stored) = Register(rp, key, new RegistrationOptionsRequest { UserName = "alice" });

        var options = rp.CreateRegistrationOptions(new RegistrationOptionsRequest
        {
            UserName = "alice",
            ExcludeCredentials = [new CredentialDescriptor(stored.CredentialId, ["usb"])],
        });
        var result = key.TryMakeCredential(options.ToJson(), Origin);

        Assert.Equal(AuthenticatorError.CredentialExcluded, result.Failure?.Error);
    }

    [Fact]
    public void Register_SubdomainOriginNotConfigured_IsRefusedByTheRelyingParty()
    {
        var rp = NewRelyingParty();
        var key = VirtualAuthenticator.Create();
        var options = rp.CreateRegistrationOptions(new RegistrationOptionsRequest { UserName = "alice" });

        var response = RegistrationCredential.Parse(key.MakeCredential(options.ToJson(), "https://evil.example.org")).Value;
        var result = rp.VerifyRegistration(response, options.Ceremony);

        Assert.Equal(WebAuthnErrorCode.OriginMismatch, result.Failure?.Error);
    }

    [Fact]
    public void SignIn_UvRequiredByTheRelyingPartyButDiscouragedToTheKey_IsRefused()
    {
        var rp = NewRelyingParty();
        var key = VirtualAuthenticator.Create();
        var (_, stored) = Register(rp, key, new RegistrationOptionsRequest { UserName = "alice" });
        var options = rp.CreateAuthenticationOptions(new AuthenticationOptionsRequest
        {
            AllowCredentials = [new CredentialDescriptor(stored.CredentialId, ["usb"])],
            UserVerification = UserVerificationRequirement.Required,
        });

        var tampered = options.ToJson().Replace("\"required\"", "\"discouraged\"", StringComparison.Ordinal);
        var response = AuthenticationCredential.Parse(key.GetAssertion(tampered, Origin)).Value;
        var result = rp.VerifyAssertion(response, options.Ceremony, stored);

        Assert.Equal(WebAuthnErrorCode.UserVerificationMissing, result.Failure?.Error);
    }

    private static (RegistrationResult Registration, StoredCredential Stored) Register(RelyingParty rp, VirtualAuthenticator key, RegistrationOptionsRequest request)
    {
        var options = rp.CreateRegistrationOptions(request);
        var parsed = RegistrationCredential.Parse(key.MakeCredential(options.ToJson(), Origin));
        Assert.True(parsed.Succeeded, parsed.Failure?.ToString());

        var verified = rp.VerifyRegistration(parsed.Value, options.Ceremony);
        Assert.True(verified.Succeeded, verified.Failure?.ToString());

        var registration = verified.Value;
        return (registration, new StoredCredential
        {
            CredentialId = registration.CredentialId,
            PublicKey = registration.PublicKey.Encoded,
            UserHandle = options.UserHandle,
            SignCount = registration.SignCount,
            BackupEligible = registration.BackupEligible,
        });
    }

    private static AssertionResult SignIn(RelyingParty rp, VirtualAuthenticator key, StoredCredential stored, AuthenticationOptionsRequest request)
    {
        var options = rp.CreateAuthenticationOptions(request);
        var parsed = AuthenticationCredential.Parse(key.GetAssertion(options.ToJson(), Origin));
        Assert.True(parsed.Succeeded, parsed.Failure?.ToString());

        var verified = rp.VerifyAssertion(parsed.Value, options.Ceremony, stored);
        Assert.True(verified.Succeeded, verified.Failure?.ToString());
        return verified.Value;
    }
}
