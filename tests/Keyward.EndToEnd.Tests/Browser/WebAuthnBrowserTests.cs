using Keyward.WebAuthn;
using Keyward.WebAuthn.Cose;
using Xunit.Abstractions;

namespace Keyward.EndToEnd.Tests.Browser;

/// <summary>
/// Acceptance: a real Chromium (Debian's, headless) runs registration and sign-in against Keyward.WebAuthn through
/// the WebAuthn L3 JSON API, with DevTools virtual authenticators standing in for the keys.
/// </summary>
[Trait("Category", "Browser")]
public sealed class WebAuthnBrowserTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private const AuthenticatorFlags UpUv = AuthenticatorFlags.UserPresent | AuthenticatorFlags.UserVerified;

    [Fact]
    public async Task Ceremonies_Ctap2KeyWithUserVerificationRequired_VerifiedWithUvFlagAndCounterIncreases()
    {
        await using var host = await WebAuthnTestHost.StartAsync();
        host.Registration = host.Registration with { UserVerification = UserVerificationRequirement.Required };
        host.SignInUserVerification = UserVerificationRequirement.Required;
        await using var browser = await BrowserSession.OpenAsync(chromium, host, VirtualAuthenticator.Ctap2SecurityKey, output);

        var registration = await browser.RegisterAsync();
        browser.Check(registration, r =>
        {
            Assert.True(r.Ok, "registration should verify");
            // attestation "none" requested: Chromium replaces the authenticator's statement with fmt "none".
            Assert.Equal("none", r.Fmt);
            Assert.Equal(nameof(AttestationType.None), r.AttestationType);
            Assert.Equal(UpUv | AuthenticatorFlags.AttestedCredentialData, r.Flags);
            Assert.True(r.UserVerified);
            Assert.False(r.BackupEligible);
            Assert.Equal(nameof(CoseAlgorithm.ES256), r.Algorithm);
            Assert.Contains("usb", r.Transports);
        });

        var first = await browser.SignInAsync();
        var second = await browser.SignInAsync();
        browser.Check(first, r =>
        {
            Assert.True(r.Ok, "first sign-in should verify");
            Assert.Equal(registration.CredentialId, r.CredentialId);
            Assert.Equal(UpUv, r.Flags);
            Assert.True(r.UserVerified);
            Assert.True(r.SignCount > registration.SignCount, $"sign count {r.SignCount} should exceed the registration's {registration.SignCount}");
        });
        browser.Check(second, r =>
        {
            Assert.True(r.Ok, "second sign-in should verify");
            Assert.True(r.SignCount > first.SignCount, $"sign count {r.SignCount} should exceed the first sign-in's {first.SignCount}");
            Assert.False(r.PossibleClone);
        });
        Assert.Equal((uint)second.SignCount, Assert.Single(host.Credentials).SignCount);
    }

    [Fact]
    public async Task Ceremonies_Ctap2KeyWithoutUvAndUvDiscouraged_VerifiedWithUvClear()
    {
        await using var host = await WebAuthnTestHost.StartAsync();
        host.Registration = host.Registration with { UserVerification = UserVerificationRequirement.Discouraged };
        host.SignInUserVerification = UserVerificationRequirement.Discouraged;
        await using var browser = await BrowserSession.OpenAsync(chromium, host, VirtualAuthenticator.Ctap2PresenceOnly, output);

        var registration = await browser.RegisterAsync();
        browser.Check(registration, r =>
        {
            Assert.True(r.Ok, "registration should verify");
            Assert.Equal("none", r.Fmt);
            Assert.Equal(AuthenticatorFlags.UserPresent | AuthenticatorFlags.AttestedCredentialData, r.Flags);
            Assert.False(r.UserVerified);
        });

        var first = await browser.SignInAsync();
        var second = await browser.SignInAsync();
        browser.Check(first, r =>
        {
            Assert.True(r.Ok, "first sign-in should verify");
            Assert.Equal(AuthenticatorFlags.UserPresent, r.Flags);
            Assert.False(r.UserVerified);
        });
        browser.Check(second, r =>
        {
            Assert.True(r.Ok, "second sign-in should verify");
            Assert.True(r.SignCount > first.SignCount, $"sign count {r.SignCount} should exceed the first sign-in's {first.SignCount}");
        });
    }

    [Fact]
    public async Task Register_Ctap2KeyWithoutUvAndUvRequired_BrowserRefusesBeforeTheServer()
    {
        await using var host = await WebAuthnTestHost.StartAsync();
        host.Registration = host.Registration with { UserVerification = UserVerificationRequirement.Required };
        await using var browser = await BrowserSession.OpenAsync(chromium, host, VirtualAuthenticator.Ctap2PresenceOnly, output);

        var registration = await browser.RegisterAsync();

        // Chromium will not ask an authenticator that cannot verify the user to make a UV-required credential: the
        // create() call fails with NotAllowedError, so no response ever reaches the relying party.
        browser.Check(registration, r =>
        {
            Assert.False(r.Ok);
            Assert.Equal("browser", r.Stage);
            Assert.StartsWith("NotAllowedError:", r.Error, StringComparison.Ordinal);
            Assert.Null(host.LastCredentialJson);
        });
        Assert.Empty(host.Credentials);
    }

    [Fact]
    public async Task VerifyRegistration_ServerRequiresUvTheKeyDidNotPerform_ReturnsUserVerificationMissing()
    {
        await using var host = await WebAuthnTestHost.StartAsync();
        host.Registration = host.Registration with { UserVerification = UserVerificationRequirement.Discouraged };
        host.CeremonyUserVerificationOverride = UserVerificationRequirement.Required;
        await using var browser = await BrowserSession.OpenAsync(chromium, host, VirtualAuthenticator.Ctap2PresenceOnly, output);

        var registration = await browser.RegisterAsync();

        browser.Check(registration, r =>
        {
            Assert.False(r.Ok);
            Assert.Equal("verify", r.Stage);
            Assert.Equal("user_verification_missing", r.Code);
        });
        Assert.Empty(host.Credentials);
    }

    [Fact]
    public async Task VerifyAssertion_ServerRequiresUvTheKeyDidNotPerform_ReturnsUserVerificationMissing()
    {
        await using var host = await WebAuthnTestHost.StartAsync();
        host.Registration = host.Registration with { UserVerification = UserVerificationRequirement.Discouraged };
        host.SignInUserVerification = UserVerificationRequirement.Discouraged;
        await using var browser = await BrowserSession.OpenAsync(chromium, host, VirtualAuthenticator.Ctap2PresenceOnly, output);
        var registration = await browser.RegisterAsync();
        browser.Check(registration, r => Assert.True(r.Ok, "registration should verify"));

        host.CeremonyUserVerificationOverride = UserVerificationRequirement.Required;
        var signIn = await browser.SignInAsync();

        browser.Check(signIn, r =>
        {
            Assert.False(r.Ok);
            Assert.Equal("verify", r.Stage);
            Assert.Equal("user_verification_missing", r.Code);
        });
        // A refused assertion must not advance the stored counter.
        Assert.Equal((uint)registration.SignCount, Assert.Single(host.Credentials).SignCount);
    }

    [Fact]
    public async Task Register_Ctap2KeyDirectAttestation_ReportsPackedFormat()
    {
        await using var host = await WebAuthnTestHost.StartAsync();
        host.Registration = host.Registration with { Attestation = AttestationConveyance.Direct };
        await using var browser = await BrowserSession.OpenAsync(chromium, host, VirtualAuthenticator.Ctap2SecurityKey, output);

        var registration = await browser.RegisterAsync();

        browser.Check(registration, r =>
        {
            Assert.True(r.Ok, "registration should verify");
            Assert.Equal("packed", r.Fmt);
            Assert.Equal(nameof(AttestationType.Basic), r.AttestationType);
        });
        browser.Check(await browser.SignInAsync(), r => Assert.True(r.Ok, "sign-in should verify"));
    }

    [Fact]
    public async Task Register_U2fKeyDirectAttestation_ReportsFidoU2fFormat()
    {
        await using var host = await WebAuthnTestHost.StartAsync();
        host.Registration = host.Registration with
        {
            Attestation = AttestationConveyance.Direct,
            ResidentKey = ResidentKeyRequirement.Discouraged,
            UserVerification = UserVerificationRequirement.Discouraged,
        };
        host.SignInUserVerification = UserVerificationRequirement.Discouraged;
        await using var browser = await BrowserSession.OpenAsync(chromium, host, VirtualAuthenticator.U2f, output);

        var registration = await browser.RegisterAsync();
        browser.Check(registration, r =>
        {
            Assert.True(r.Ok, "registration should verify");
            Assert.Equal("fido-u2f", r.Fmt);
            Assert.Equal(nameof(AttestationType.Basic), r.AttestationType);
            Assert.Equal(AuthenticatorFlags.UserPresent | AuthenticatorFlags.AttestedCredentialData, r.Flags);
            Assert.Equal(nameof(CoseAlgorithm.ES256), r.Algorithm);
        });

        var first = await browser.SignInAsync();
        var second = await browser.SignInAsync();
        browser.Check(first, r =>
        {
            Assert.True(r.Ok, "first sign-in should verify");
            Assert.Equal(AuthenticatorFlags.UserPresent, r.Flags);
        });
        browser.Check(second, r =>
        {
            Assert.True(r.Ok, "second sign-in should verify");
            Assert.True(r.SignCount > first.SignCount, $"sign count {r.SignCount} should exceed the first sign-in's {first.SignCount}");
        });
    }

    [Fact]
    public async Task Register_U2fKeyNoneAttestation_ReportsNoneFormat()
    {
        await using var host = await WebAuthnTestHost.StartAsync();
        host.Registration = host.Registration with
        {
            Attestation = AttestationConveyance.None,
            ResidentKey = ResidentKeyRequirement.Discouraged,
            UserVerification = UserVerificationRequirement.Discouraged,
        };
        host.SignInUserVerification = UserVerificationRequirement.Discouraged;
        await using var browser = await BrowserSession.OpenAsync(chromium, host, VirtualAuthenticator.U2f, output);

        var registration = await browser.RegisterAsync();
        browser.Check(registration, r =>
        {
            Assert.True(r.Ok, "registration should verify");
            Assert.Equal("none", r.Fmt);
            Assert.Equal(nameof(AttestationType.None), r.AttestationType);
            Assert.Equal(AuthenticatorFlags.UserPresent | AuthenticatorFlags.AttestedCredentialData, r.Flags);
        });
        browser.Check(await browser.SignInAsync(), r => Assert.True(r.Ok, "sign-in should verify"));
    }

    [Fact]
    public async Task SignIn_DiscoverableCredentialWithoutAllowList_ReturnsTheUserHandle()
    {
        await using var host = await WebAuthnTestHost.StartAsync();
        host.Registration = host.Registration with
        {
            ResidentKey = ResidentKeyRequirement.Required,
            UserVerification = UserVerificationRequirement.Required,
        };
        host.SignInUserVerification = UserVerificationRequirement.Required;
        host.DiscoverableSignIn = true;
        await using var browser = await BrowserSession.OpenAsync(chromium, host, VirtualAuthenticator.Ctap2Platform, output);

        var registration = await browser.RegisterAsync();
        browser.Check(registration, r =>
        {
            Assert.True(r.Ok, "registration should verify");
            Assert.Contains("internal", r.Transports);
        });

        var first = await browser.SignInAsync();
        var second = await browser.SignInAsync();
        browser.Check(first, r =>
        {
            Assert.True(r.Ok, "discoverable sign-in should verify");
            Assert.Equal(registration.CredentialId, r.CredentialId);
            Assert.NotNull(r.UserHandle);
            Assert.Equal(registration.UserHandle, r.UserHandle);
            Assert.True(r.UserVerified);
        });
        browser.Check(second, r =>
        {
            Assert.True(r.Ok, "second discoverable sign-in should verify");
            Assert.Equal(registration.UserHandle, r.UserHandle);
            Assert.True(r.SignCount > first.SignCount, $"sign count {r.SignCount} should exceed the first sign-in's {first.SignCount}");
        });
    }

    [Fact]
    public async Task Ceremonies_ClickingThePageButtons_RegisterAndSignIn()
    {
        await using var host = await WebAuthnTestHost.StartAsync();
        await using var browser = await BrowserSession.OpenAsync(chromium, host, VirtualAuthenticator.Ctap2SecurityKey, output);

        await browser.Page.ClickAsync("#register");
        var registration = await browser.WaitForResultAsync("register");
        browser.Check(registration, r => Assert.True(r.Ok, "registration by click should verify"));

        await browser.Page.ClickAsync("#login");
        var signIn = await browser.WaitForResultAsync("login");
        browser.Check(signIn, r =>
        {
            Assert.True(r.Ok, "sign-in by click should verify");
            Assert.Equal(registration.CredentialId, r.CredentialId);
        });
        Assert.Contains("\"ok\": true", await browser.Page.InnerTextAsync("#status"), StringComparison.Ordinal);
    }
}
