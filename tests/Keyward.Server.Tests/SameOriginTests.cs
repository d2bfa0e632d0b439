using Keyward.Server.Http;
using Microsoft.AspNetCore.Http;

namespace Keyward.Server.Tests;

/// <summary>
/// The same-origin test of the CSRF defence, one request at a time: Origin against the request's own scheme, Host and
/// port (RFC 6454 serialization), or Sec-Fetch-Site: same-origin when Origin is absent.
/// </summary>
public sealed class SameOriginTests
{
    [Theory]
    [InlineData("https", "keyward.example", "https://keyward.example", null, true)]
    [InlineData("https", "Keyward.Example", "https://keyward.example", null, true)]
    [InlineData("https", "keyward.example:443", "https://keyward.example", null, true)]
    [InlineData("https", "keyward.example:8443", "https://keyward.example:8443", null, true)]
    [InlineData("http", "localhost:5080", "http://localhost:5080", null, true)]
    [InlineData("https", "[::1]:8443", "https://[::1]:8443", null, true)]
    [InlineData("https", "127.0.0.1:8443", "https://127.0.0.1:8443", null, true)]
    [InlineData("https", "keyward.example", null, "same-origin", true)]
    [InlineData("https", "keyward.example:8443", "https://keyward.example", null, false)]
    [InlineData("https", "keyward.example", "https://keyward.example:8443", null, false)]
    [InlineData("https", "keyward.example", "http://keyward.example", null, false)]
    [InlineData("https", "keyward.example", "https://app.keyward.example", null, false)]
    [InlineData("https", "app.keyward.example", "https://keyward.example", null, false)]
    [InlineData("https", "keyward.example", "https://keyward.example.evil", null, false)]
    [InlineData("https", "keyward.example", "https://keyward.example/", null, false)]
    [InlineData("https", "keyward.example", "https://keyward.example:443", null, false)]
    [InlineData("https", "keyward.example", "https://user@keyward.example", null, false)]
    [InlineData("https", "keyward.example", "null", null, false)]
    [InlineData("https", "keyward.example", "", null, false)]
    [InlineData("https", "keyward.example", "keyward.example", null, false)]
    [InlineData("https", "localhost:8443", "https://127.0.0.1:8443", null, false)]
    [InlineData("https", "[::1]:8443", "https://localhost:8443", null, false)]
    [InlineData("https", "keyward.example", "https://keyward.example", "cross-site", true)]
    [InlineData("https", "keyward.example", "https://evil.example", "same-origin", false)]
    [InlineData("https", "keyward.example", null, "same-site", false)]
    [InlineData("https", "keyward.example", null, "cross-site", false)]
    [InlineData("https", "keyward.example", null, "none", false)]
    [InlineData("https", "keyward.example", null, "Same-Origin", false)]
    [InlineData("https", "keyward.example", null, null, false)]
    [InlineData("https", "", "https://keyward.example", null, false)]
    public void IsSameOrigin_OriginOrFetchMetadata_MatchesOnlyTheRequestsOwnOrigin(string scheme, string host, string? origin, string? fetchSite, bool expected)
    {
        var request = new DefaultHttpContext().Request;
        request.Scheme = scheme;
        request.Host = new HostString(host);
        if (origin is not null)
        {
            request.Headers.Origin = origin;
        }

        if (fetchSite is not null)
        {
            request.Headers["Sec-Fetch-Site"] = fetchSite;
        }

        Assert.Equal(expected, SameOriginWritesMiddleware.IsSameOrigin(request));
    }
}
