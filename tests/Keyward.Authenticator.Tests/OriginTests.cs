using System.Text.Json;

namespace Keyward.Authenticator.Tests;

public class OriginTests
{
    [Theory]
    [InlineData("https://example.org", "example.org")]
    [InlineData("https://login.example.org", "example.org")]
    [InlineData("https://example.org:8443", "example.org")]
    [InlineData("http://localhost:5000", "localhost")]
    public void MakeCredential_RpIdIsHostOrParent_Succeeds(string origin, string rpId)
    {
        var key = VirtualAuthenticator.Create();

        var result = key.TryMakeCredential(TestOptions.Creation(rpId: rpId), origin);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Contains($"\"origin\":\"{origin}\"", Decoded.Registration(result.Value).ClientData, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://example.org", "other.org")]
    [InlineData("https://example.org", "login.example.org")]
    [InlineData("https://notexample.org", "example.org")]
    [InlineData("http://example.org", "example.org")]
    [InlineData("https://127.0.0.1", "127.0.0.1")]
    public void MakeCredential_RpIdNotAllowedForOrigin_ReturnsSecurityError(string origin, string rpId)
    {
        var key = VirtualAuthenticator.Create();

        var result = key.TryMakeCredential(TestOptions.Creation(rpId: rpId), origin);

        Assert.Equal(AuthenticatorError.SecurityError, result.Failure?.Error);
        Assert.Empty(key.Credentials);
    }

    [Theory]
    [InlineData("https://example.org/")]
    [InlineData("https://example.org/login")]
    [InlineData("example.org")]
    [InlineData("ftp://example.org")]
    public void MakeCredential_NotAnOrigin_Throws(string origin)
    {
        var key = VirtualAuthenticator.Create();

        Assert.Throws<ArgumentException>(() => key.TryMakeCredential(TestOptions.Creation(), origin));
    }

    [Fact]
    public void MakeCredential_OriginWithDefaultPortAndUpperCase_IsSerializedAsBrowsersDo()
    {
        var key = VirtualAuthenticator.Create();

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), "https://Example.ORG:443"));

        Assert.Contains("\"origin\":\"https://example.org\"", decoded.ClientData, StringComparison.Ordinal);
    }

    [Fact]
    public void MakeCredential_NoRpId_DefaultsToOriginHost()
    {
        var key = VirtualAuthenticator.Create();

        key.MakeCredential(TestOptions.Creation(rpId: null), "https://login.example.org");

        Assert.Equal("login.example.org", key.Credentials.Single().RpId);
    }

    [Fact]
    public void MakeCredential_DangerousSkipOriginCheck_UsesOriginVerbatim()
    {
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { DangerousSkipOriginCheck = true });

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(rpId: "example.org"), "https://evil.test"));

        Assert.Contains("\"origin\":\"https://evil.test\"", decoded.ClientData, StringComparison.Ordinal);
    }

    [Fact]
    public void MakeCredential_OriginNeedingEscapes_IsEscapedAsCcdToString()
    {
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { DangerousSkipOriginCheck = true });

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), "https://a\"b\\c\u0001"));

        Assert.EndsWith("\"origin\":\"https://a\\\"b\\\\c\\u0001\",\"crossOrigin\":false}", decoded.ClientData, StringComparison.Ordinal);
        Assert.Equal("https://a\"b\\c\u0001", JsonDocument.Parse(decoded.ClientDataJson).RootElement.GetProperty("origin").GetString());
    }
}
