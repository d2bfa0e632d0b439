using System.Security.Cryptography;
using System.Text;
using Keyward.WebAuthn;

namespace Keyward.Authenticator.Tests;

public class GetAssertionTests
{
    [Fact]
    public void GetAssertion_AllowList_ReturnsAuthenticationResponseJson()
    {
        var key = VirtualAuthenticator.Create();
        var registration = Decoded.Registration(key.MakeCredential(TestOptions.Creation(residentKey: "discouraged"), TestOptions.Origin));

        var decoded = Decoded.Assertion(key.GetAssertion(TestOptions.Request(allow: [registration.RawId]), TestOptions.Origin));

        Assert.Equal(registration.RawId, decoded.RawId);
        Assert.Equal(decoded.Root.GetProperty("id").GetString(), decoded.Root.GetProperty("rawId").GetString());
        Assert.Equal("public-key", decoded.Root.GetProperty("type").GetString());
        Assert.Equal("cross-platform", decoded.Root.GetProperty("authenticatorAttachment").GetString());
        Assert.Equal("{}", decoded.Root.GetProperty("clientExtensionResults").GetRawText());
        Assert.Equal(TestOptions.UserId, decoded.Member("userHandle"));
        Assert.Equal(
            $"{{\"type\":\"webauthn.get\",\"challenge\":\"{Base64Url.Encode(TestOptions.Challenge)}\",\"origin\":\"https://example.org\",\"crossOrigin\":false}}",
            decoded.ClientData);
        Assert.Equal(37, decoded.AuthenticatorDataBytes.Length);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(TestOptions.RpId)), decoded.AuthenticatorDataBytes[..32]);
        Assert.Null(decoded.AuthenticatorData.AttestedCredential);
        Assert.True(registration.CredentialPublicKey.Verify(decoded.SignedBytes(), decoded.Member("signature")));
    }

    [Fact]
    public void GetAssertion_AllowList_UsesTheFirstListedCredentialTheKeyHolds()
    {
        var key = VirtualAuthenticator.Create();
        var a = Decoded.Registration(key.MakeCredential(TestOptions.Creation(userId: [1]), TestOptions.Origin)).RawId;
        var b = Decoded.Registration(key.MakeCredential(TestOptions.Creation(userId: [2]), TestOptions.Origin)).RawId;

        var decoded = Decoded.Assertion(key.GetAssertion(TestOptions.Request(allow: [[9, 9, 9], b, a]), TestOptions.Origin));

        Assert.Equal(b, decoded.RawId);
        Assert.Equal([2], decoded.Member("userHandle"));
    }

    [Fact]
    public void GetAssertion_Ed25519_SignatureVerifies()
    {
        var key = VirtualAuthenticator.Create();
        var registration = Decoded.Registration(key.MakeCredential(TestOptions.Creation(algorithms: [-8]), TestOptions.Origin));

        var decoded = Decoded.Assertion(key.GetAssertion(TestOptions.Request(allow: [registration.RawId]), TestOptions.Origin));

        Assert.Equal(64, decoded.Member("signature").Length);
        Assert.True(registration.CredentialPublicKey.Verify(decoded.SignedBytes(), decoded.Member("signature")));
    }

    [Fact]
    public void GetAssertion_Increment_CountsUpPerCredential()
    {
        var key = VirtualAuthenticator.Create();
        var a = Decoded.Registration(key.MakeCredential(TestOptions.Creation(userId: [1]), TestOptions.Origin)).RawId;
        var b = Decoded.Registration(key.MakeCredential(TestOptions.Creation(userId: [2]), TestOptions.Origin)).RawId;

        var counts = new[] { a, a, b, a }
            .Select(id => Decoded.Assertion(key.GetAssertion(TestOptions.Request(allow: [id]), TestOptions.Origin)).AuthenticatorData.SignCount)
            .ToArray();

        Assert.Equal([1u, 2u, 1u, 3u], counts);
        Assert.Equal([3u, 1u], key.Credentials.Select(c => c.SignCount));
    }

    [Fact]
    public void GetAssertion_ZeroCounter_AlwaysReportsZero()
    {
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { SignCounter = SignCounterMode.Zero });
        var id = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin)).RawId;

        var counts = Enumerable.Range(0, 3)
            .Select(_ => Decoded.Assertion(key.GetAssertion(TestOptions.Request(allow: [id]), TestOptions.Origin)).AuthenticatorData.SignCount)
            .ToArray();

        Assert.Equal([0u, 0u, 0u], counts);
    }

    [Theory]
    [InlineData("required", true)]
    [InlineData("preferred", true)]
    [InlineData("discouraged", false)]
    public void GetAssertion_UserVerification_SetsUvAsRequested(string userVerification, bool expected)
    {
        var key = VirtualAuthenticator.Create();
        var id = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin)).RawId;

        var flags = Decoded.Assertion(key.GetAssertion(TestOptions.Request(allow: [id], userVerification: userVerification), TestOptions.Origin)).AuthenticatorData;

        Assert.Equal(expected, flags.UserVerified);
        Assert.True(flags.UserPresent);
    }

    [Fact]
    public void GetAssertion_UvRequiredAfterUvStopsWorking_ReturnsNotAllowedAndKeepsCounter()
    {
        var key = VirtualAuthenticator.Create();
        var id = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin)).RawId;
        key.Options = key.Options with { UserVerified = false };

        var result = key.TryGetAssertion(TestOptions.Request(allow: [id], userVerification: "required"), TestOptions.Origin);

        Assert.Equal(AuthenticatorError.NotAllowed, result.Failure?.Error);
        Assert.Equal(0u, key.Credentials.Single().SignCount);
    }

    [Fact]
    public void GetAssertion_BackupEligibleCredential_ReportsBeAndCurrentBs()
    {
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { BackupEligible = true });
        var id = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin)).RawId;
        var before = Decoded.Assertion(key.GetAssertion(TestOptions.Request(allow: [id]), TestOptions.Origin)).AuthenticatorData;

        key.Options = key.Options with { BackedUp = true };
        var after = Decoded.Assertion(key.GetAssertion(TestOptions.Request(allow: [id]), TestOptions.Origin)).AuthenticatorData;

        Assert.True(before.BackupEligible);
        Assert.False(before.BackedUp);
        Assert.True(after.BackupEligible);
        Assert.True(after.BackedUp);
    }

    [Fact]
    public void GetAssertion_NoAllowList_PicksTheNewestDiscoverableCredentialForTheRp()
    {
        var key = VirtualAuthenticator.Create();
        key.MakeCredential(TestOptions.Creation(residentKey: "required", userId: [1]), TestOptions.Origin);
        var newest = Decoded.Registration(key.MakeCredential(TestOptions.Creation(residentKey: "required", userId: [2]), TestOptions.Origin)).RawId;
        key.MakeCredential(TestOptions.Creation(residentKey: "discouraged", userId: [3]), TestOptions.Origin);
        key.MakeCredential(TestOptions.Creation(residentKey: "required", userId: [4], rpId: "other.example"), "https://other.example");

        var decoded = Decoded.Assertion(key.GetAssertion(TestOptions.Request(), TestOptions.Origin));

        Assert.Equal(newest, decoded.RawId);
        Assert.Equal([2], decoded.Member("userHandle"));
    }

    [Fact]
    public void GetAssertion_Selector_ChoosesAmongDiscoverableCredentials()
    {
        var key = VirtualAuthenticator.Create();
        key.MakeCredential(TestOptions.Creation(residentKey: "required", userId: [1]), TestOptions.Origin);
        key.MakeCredential(TestOptions.Creation(residentKey: "required", userId: [2]), TestOptions.Origin);
        IReadOnlyList<VirtualCredentialInfo>? offered = null;
        key.CredentialSelector = candidates =>
        {
            offered = candidates;
            return candidates.Single(c => c.UserHandle.SequenceEqual(new byte[] { 1 }));
        };

        var decoded = Decoded.Assertion(key.GetAssertion(TestOptions.Request(), TestOptions.Origin));

        Assert.Equal([1], decoded.Member("userHandle"));
        Assert.Equal([[2], [1]], offered!.Select(c => c.UserHandle));
    }

    [Fact]
    public void GetAssertion_SelectorCancels_ReturnsNotAllowed()
    {
        var key = VirtualAuthenticator.Create();
        key.MakeCredential(TestOptions.Creation(residentKey: "required"), TestOptions.Origin);
        key.CredentialSelector = _ => null;

        var result = key.TryGetAssertion(TestOptions.Request(), TestOptions.Origin);

        Assert.Equal(AuthenticatorError.NotAllowed, result.Failure?.Error);
    }

    [Fact]
    public void GetAssertion_NoAllowListAndOnlyServerSideCredentials_ReturnsNoCredentials()
    {
        var key = VirtualAuthenticator.Create();
        key.MakeCredential(TestOptions.Creation(residentKey: "discouraged"), TestOptions.Origin);

        var result = key.TryGetAssertion(TestOptions.Request(), TestOptions.Origin);

        Assert.Equal(AuthenticatorError.NoCredentials, result.Failure?.Error);
    }

    [Fact]
    public void GetAssertion_AllowListOfUnknownIds_ReturnsNoCredentials()
    {
        var key = VirtualAuthenticator.Create();
        key.MakeCredential(TestOptions.Creation(), TestOptions.Origin);

        var result = key.TryGetAssertion(TestOptions.Request(allow: [[1, 2, 3]]), TestOptions.Origin);
        var thrown = Assert.Throws<AuthenticatorException>(() => key.GetAssertion(TestOptions.Request(allow: [[1, 2, 3]]), TestOptions.Origin));

        Assert.Equal(AuthenticatorError.NoCredentials, result.Failure?.Error);
        Assert.Equal(AuthenticatorError.NoCredentials, thrown.Error);
    }

    [Fact]
    public void GetAssertion_CredentialOfAnotherRp_IsNotUsed()
    {
        var key = VirtualAuthenticator.Create();
        var id = Decoded.Registration(key.MakeCredential(TestOptions.Creation(rpId: "other.example"), "https://other.example")).RawId;

        var result = key.TryGetAssertion(TestOptions.Request(allow: [id]), TestOptions.Origin);

        Assert.Equal(AuthenticatorError.NoCredentials, result.Failure?.Error);
    }

    [Fact]
    public void GetAssertion_NoRpId_DefaultsToOriginHost()
    {
        var key = VirtualAuthenticator.Create();
        key.MakeCredential(TestOptions.Creation(residentKey: "required"), TestOptions.Origin);

        var result = key.TryGetAssertion(TestOptions.Request(rpId: null), TestOptions.Origin);

        Assert.True(result.Succeeded, result.Failure?.ToString());
    }

    [Fact]
    public void GetAssertion_RpIdOfAnotherSite_ReturnsSecurityError()
    {
        var key = VirtualAuthenticator.Create();
        var id = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin)).RawId;

        var result = key.TryGetAssertion(TestOptions.Request(allow: [id]), "https://evil.test");

        Assert.Equal(AuthenticatorError.SecurityError, result.Failure?.Error);
    }

    [Fact]
    public void Remove_HeldCredential_RemovesItOnce()
    {
        var key = VirtualAuthenticator.Create();
        var id = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin)).RawId;

        Assert.True(key.Remove(id));
        Assert.False(key.Remove(id));
        Assert.Empty(key.Credentials);
        Assert.Equal(AuthenticatorError.NoCredentials, key.TryGetAssertion(TestOptions.Request(allow: [id]), TestOptions.Origin).Failure?.Error);
    }

    [Fact]
    public void GetAssertion_ConcurrentCallers_GetDistinctCounters()
    {
        var key = VirtualAuthenticator.Create();
        var id = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin)).RawId;
        var options = TestOptions.Request(allow: [id]);

        var counts = new uint[64];
        Parallel.For(0, counts.Length, i => counts[i] = Decoded.Assertion(key.GetAssertion(options, TestOptions.Origin)).AuthenticatorData.SignCount);

        Assert.Equal(Enumerable.Range(1, counts.Length).Select(i => (uint)i), counts.Order());
        Assert.Equal((uint)counts.Length, key.Credentials.Single().SignCount);
    }
}
