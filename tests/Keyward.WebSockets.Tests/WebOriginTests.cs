using Keyward.Server.Http;

namespace Keyward.WebSockets.Tests;

/// <summary>
/// One spelling per origin (RFC 6454 §6.1): configured origins and Origin headers are compared after this, so a
/// default port, a trailing slash or upper case never make one origin two; anything that is not an origin is refused.
/// </summary>
public sealed class WebOriginTests
{
    [Theory]
    [InlineData("https://host", "https://host")]
    [InlineData("https://host/", "https://host")]
    [InlineData("https://host:443", "https://host")]
    [InlineData("https://host:443/", "https://host")]
    [InlineData("HTTPS://HOST", "https://host")]
    [InlineData("https://Host.Example:8443", "https://host.example:8443")]
    [InlineData("http://host:80", "http://host")]
    [InlineData("http://host:443", "http://host:443")]
    [InlineData("https://host:80", "https://host:80")]
    [InlineData("https://127.0.0.1:443", "https://127.0.0.1")]
    [InlineData("https://[::1]:8443", "https://[::1]:8443")]
    public void Normalize_OneOrigin_HasOneSpelling(string configured, string expected)
    {
        Assert.Equal(expected, WebOrigin.Normalize(configured, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("host.example", "not an absolute http or https URL")]
    [InlineData("ftp://host.example", "not an absolute http or https URL")]
    [InlineData("wss://host.example", "not an absolute http or https URL")]
    [InlineData("null", "not an absolute http or https URL")]
    [InlineData("https://host.example/app", "a path")]
    [InlineData("https://host.example/.", "a path")]
    [InlineData("https://host.example//", "a path")]
    [InlineData("https://host.example?x=1", "a query")]
    [InlineData("https://host.example/?x=1", "a query")]
    [InlineData("https://host.example#top", "a fragment")]
    [InlineData("https://user:pw@host.example", "user info")]
    [InlineData("https://user@host.example", "user info")]
    [InlineData("https://*.example.com", "wildcards")]
    [InlineData("*", "wildcards")]
    [InlineData("https://host .example", "white space")]
    public void Normalize_NotAnOrigin_IsRefusedSayingWhy(string? configured, string why)
    {
        Assert.Null(WebOrigin.Normalize(configured, out var problem));
        Assert.Contains(why, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://Keyward.Example:443/", "https://keyward.example")]
    [InlineData("https://keyward.example:8443", "https://keyward.example:8443")]
    public void PublicOrigin_IsNormalizedWhereverItIsUsed(string configured, string expected)
    {
        var options = new KeywardOptions { PublicOrigin = configured };
        Assert.Empty(options.Validate(isDevelopment: false));
        Assert.Equal(expected, options.EffectiveOrigin);
    }

    [Theory]
    [InlineData("https://keyward.example/app", "a path")]
    [InlineData("https://keyward.example?x=1", "a query")]
    [InlineData("https://admin@keyward.example", "user info")]
    [InlineData("https://*.keyward.example", "wildcards")]
    public void PublicOrigin_NotAnOrigin_IsAConfigErrorNamingTheSetting(string configured, string why)
    {
        var errors = new KeywardOptions { PublicOrigin = configured }.Validate(isDevelopment: false);
        Assert.Contains(errors, e => e.StartsWith("Keyward:PublicOrigin must be scheme://host[:port]", StringComparison.Ordinal) && e.Contains(why, StringComparison.Ordinal));
    }
}
