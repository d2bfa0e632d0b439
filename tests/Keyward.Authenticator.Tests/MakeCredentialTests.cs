using System.Security.Cryptography;
using System.Text;
using Keyward.WebAuthn;
using Keyward.WebAuthn.Cose;

namespace Keyward.Authenticator.Tests;

public class MakeCredentialTests
{
    private static readonly byte[] RpIdHash = SHA256.HashData(Encoding.UTF8.GetBytes(TestOptions.RpId));

    [Fact]
    public void MakeCredential_ES256_ReturnsRegistrationResponseJson()
    {
        var key = VirtualAuthenticator.Create();

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin));

        Assert.Equal(decoded.Root.GetProperty("id").GetString(), decoded.Root.GetProperty("rawId").GetString());
        Assert.Equal(VirtualAuthenticator.CredentialIdLength, decoded.RawId.Length);
        Assert.Equal("public-key", decoded.Root.GetProperty("type").GetString());
        Assert.Equal("cross-platform", decoded.Root.GetProperty("authenticatorAttachment").GetString());
        Assert.Equal("{}", decoded.Root.GetProperty("clientExtensionResults").GetRawText());
        Assert.Equal(["usb"], decoded.Response.GetProperty("transports").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(-7, decoded.Response.GetProperty("publicKeyAlgorithm").GetInt32());

        using var spki = ECDsa.Create();
        spki.ImportSubjectPublicKeyInfo(decoded.Member("publicKey"), out _);
        Assert.Equal(decoded.CredentialPublicKey.Material.X, spki.ExportParameters(false).Q.X);
    }

    [Fact]
    public void MakeCredential_ClientDataJson_IsTheBrowserSerialization()
    {
        var key = VirtualAuthenticator.Create();

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin));

        Assert.Equal(
            $"{{\"type\":\"webauthn.create\",\"challenge\":\"{Base64Url.Encode(TestOptions.Challenge)}\",\"origin\":\"https://example.org\",\"crossOrigin\":false}}",
            decoded.ClientData);
    }

    [Fact]
    public void MakeCredential_AuthenticatorData_HasRpIdHashFlagsCounterAaguidAndCoseKey()
    {
        var key = VirtualAuthenticator.Create();

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin));
        var raw = decoded.AuthenticatorDataBytes;

        Assert.Equal(RpIdHash, raw[..32]);
        Assert.Equal(AuthenticatorFlags.UserPresent | AuthenticatorFlags.UserVerified | AuthenticatorFlags.AttestedCredentialData, decoded.AuthenticatorData.Flags);
        Assert.Equal(0u, decoded.AuthenticatorData.SignCount);
        Assert.Equal(VirtualAuthenticatorOptions.DefaultAaguid, raw[37..53]);
        Assert.Equal([0, 32], raw[53..55]);
        Assert.Equal(decoded.RawId, raw[55..87]);

        // EC2 COSE_Key in CTAP2 canonical order: {1: 2, 3: -7, -1: 1, -2: x(32), -3: y(32)}.
        var cose = raw[87..];
        Assert.Equal(77, cose.Length);
        Assert.Equal([0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20], cose[..10]);
        Assert.Equal([0x22, 0x58, 0x20], cose[42..45]);
        Assert.Equal(key.Credentials.Single().PublicKey, cose);
    }

    [Fact]
    public void MakeCredential_SeveralAlgorithms_TakesTheFirstSupported()
    {
        var key = VirtualAuthenticator.Create();

        key.MakeCredential(TestOptions.Creation(algorithms: [-257, -37, -8, -7]), TestOptions.Origin);

        Assert.Equal(CoseAlgorithm.EdDSA, key.Credentials.Single().Algorithm);
    }

    [Fact]
    public void MakeCredential_EmptyPubKeyCredParams_DefaultsToES256()
    {
        var key = VirtualAuthenticator.Create();

        key.MakeCredential(TestOptions.Creation(algorithms: []), TestOptions.Origin);

        Assert.Equal(CoseAlgorithm.ES256, key.Credentials.Single().Algorithm);
    }

    [Fact]
    public void MakeCredential_NoSupportedAlgorithm_ReturnsUnsupportedAlgorithm()
    {
        var key = VirtualAuthenticator.Create();
        var options = TestOptions.Creation(algorithms: [-257, -37, -35]);

        var result = key.TryMakeCredential(options, TestOptions.Origin);
        var thrown = Assert.Throws<AuthenticatorException>(() => key.MakeCredential(options, TestOptions.Origin));

        Assert.Equal(AuthenticatorError.UnsupportedAlgorithm, result.Failure?.Error);
        Assert.Equal("unsupported_algorithm", result.Failure?.Code);
        Assert.Equal(AuthenticatorError.UnsupportedAlgorithm, thrown.Error);
        Assert.Empty(key.Credentials);
    }

    [Fact]
    public void MakeCredential_UvRequired_SetsUv()
    {
        var key = VirtualAuthenticator.Create();

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(userVerification: "required"), TestOptions.Origin));

        Assert.True(decoded.AuthenticatorData.UserVerified);
        Assert.True(decoded.AuthenticatorData.UserPresent);
    }

    [Fact]
    public void MakeCredential_UvDiscouraged_LeavesUvClear()
    {
        var key = VirtualAuthenticator.Create();

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(userVerification: "discouraged"), TestOptions.Origin));

        Assert.False(decoded.AuthenticatorData.UserVerified);
        Assert.True(decoded.AuthenticatorData.UserPresent);
    }

    [Fact]
    public void MakeCredential_UvRequiredOnKeyWithoutUv_ReturnsNotAllowed()
    {
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { UserVerificationCapable = false });

        var result = key.TryMakeCredential(TestOptions.Creation(userVerification: "required"), TestOptions.Origin);

        Assert.Equal(AuthenticatorError.NotAllowed, result.Failure?.Error);
    }

    [Fact]
    public void MakeCredential_UvRequiredAndGestureFails_ReturnsNotAllowed()
    {
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { UserVerified = false });

        var result = key.TryMakeCredential(TestOptions.Creation(userVerification: "required"), TestOptions.Origin);

        Assert.Equal(AuthenticatorError.NotAllowed, result.Failure?.Error);
        Assert.Empty(key.Credentials);
    }

    [Fact]
    public void MakeCredential_UvPreferredAndGestureFails_ReportsPresenceOnly()
    {
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { UserVerified = false });

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(userVerification: "preferred"), TestOptions.Origin));

        Assert.False(decoded.AuthenticatorData.UserVerified);
    }

    [Fact]
    public void MakeCredential_ExcludedCredentialHeldForRp_ReturnsCredentialExcluded()
    {
        var key = VirtualAuthenticator.Create();
        var first = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin));

        var result = key.TryMakeCredential(TestOptions.Creation(exclude: [[1, 2, 3], first.RawId], userId: [9]), TestOptions.Origin);

        Assert.Equal(AuthenticatorError.CredentialExcluded, result.Failure?.Error);
        Assert.Single(key.Credentials);
    }

    [Fact]
    public void MakeCredential_ExcludedCredentialOfAnotherRp_IsIgnored()
    {
        var key = VirtualAuthenticator.Create();
        var other = Decoded.Registration(key.MakeCredential(TestOptions.Creation(rpId: "other.example"), "https://other.example"));

        var result = key.TryMakeCredential(TestOptions.Creation(exclude: [other.RawId]), TestOptions.Origin);

        Assert.True(result.Succeeded);
        Assert.Equal(2, key.Credentials.Count);
    }

    [Fact]
    public void MakeCredential_CredPropsRequested_ReportsResidentKey()
    {
        var key = VirtualAuthenticator.Create();

        var resident = Decoded.Registration(key.MakeCredential(TestOptions.Creation(residentKey: "required", credProps: true), TestOptions.Origin));
        var server = Decoded.Registration(key.MakeCredential(TestOptions.Creation(residentKey: "discouraged", credProps: true), TestOptions.Origin));

        Assert.True(resident.Root.GetProperty("clientExtensionResults").GetProperty("credProps").GetProperty("rk").GetBoolean());
        Assert.False(server.Root.GetProperty("clientExtensionResults").GetProperty("credProps").GetProperty("rk").GetBoolean());
        Assert.Equal([true, false], key.Credentials.Select(c => c.Discoverable));
    }

    [Fact]
    public void MakeCredential_DiscoverableForSameUser_ReplacesTheOldOne()
    {
        var key = VirtualAuthenticator.Create();
        key.MakeCredential(TestOptions.Creation(residentKey: "required"), TestOptions.Origin);
        key.MakeCredential(TestOptions.Creation(residentKey: "required", userId: [7]), TestOptions.Origin);

        var third = Decoded.Registration(key.MakeCredential(TestOptions.Creation(residentKey: "required"), TestOptions.Origin));

        Assert.Equal(2, key.Credentials.Count);
        Assert.Contains(key.Credentials, c => c.CredentialId.AsSpan().SequenceEqual(third.RawId));
    }

    [Fact]
    public void MakeCredential_OptionsWrappedInPublicKey_AreAccepted()
    {
        var key = VirtualAuthenticator.Create();

        var result = key.TryMakeCredential($"{{\"publicKey\":{TestOptions.Creation()}}}", TestOptions.Origin);

        Assert.True(result.Succeeded, result.Failure?.ToString());
    }

    [Fact]
    public void MakeCredential_Credentials_ListsTheNewCredentialWithoutSecrets()
    {
        var key = VirtualAuthenticator.Create();

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(residentKey: "required"), TestOptions.Origin));

        var info = Assert.Single(key.Credentials);
        Assert.Equal(decoded.RawId, info.CredentialId);
        Assert.Equal(decoded.Root.GetProperty("id").GetString(), info.Id);
        Assert.Equal(TestOptions.RpId, info.RpId);
        Assert.Equal(TestOptions.UserId, info.UserHandle);
        Assert.Equal("alice@example.org", info.UserName);
        Assert.Equal("Alice", info.UserDisplayName);
        Assert.Equal(CoseAlgorithm.ES256, info.Algorithm);
        Assert.Equal(0u, info.SignCount);
        Assert.True(info.Discoverable);
        Assert.Equal("VirtualAuthenticator (1 credential)", key.ToString());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"rp\":{\"id\":\"example.org\"},\"user\":{\"id\":\"AQ\",\"name\":\"a\"},\"pubKeyCredParams\":[]}")]
    [InlineData("{\"challenge\":\"AAAA\",\"rp\":{\"id\":\"example.org\"},\"user\":{\"id\":\"AQ\",\"name\":\"a\"}}")]
    [InlineData("{\"challenge\":\"AA+A\",\"rp\":{\"id\":\"example.org\"},\"user\":{\"id\":\"AQ\",\"name\":\"a\"},\"pubKeyCredParams\":[]}")]
    [InlineData("{\"challenge\":\"AAAA\",\"rp\":{\"id\":\"example.org\"},\"user\":{\"id\":\"\",\"name\":\"a\"},\"pubKeyCredParams\":[]}")]
    [InlineData("{\"challenge\":\"AAAA\",\"rp\":{\"id\":\"example.org\"},\"user\":{\"id\":\"AQ\",\"name\":\"a\"},\"pubKeyCredParams\":[{\"type\":\"public-key\",\"alg\":\"-7\"}]}")]
    public void MakeCredential_MalformedOptions_ReturnsMalformedOptions(string json)
    {
        var key = VirtualAuthenticator.Create();

        var result = key.TryMakeCredential(json, TestOptions.Origin);

        Assert.Equal(AuthenticatorError.MalformedOptions, result.Failure?.Error);
    }

    [Fact]
    public void MakeCredential_UserIdLongerThan64Bytes_ReturnsMalformedOptions()
    {
        var key = VirtualAuthenticator.Create();

        var result = key.TryMakeCredential(TestOptions.Creation(userId: new byte[65]), TestOptions.Origin);

        Assert.Equal(AuthenticatorError.MalformedOptions, result.Failure?.Error);
    }
}
