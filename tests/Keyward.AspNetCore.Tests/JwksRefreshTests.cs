using System.Net;
using Keyward.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.AspNetCore.Tests;

public sealed class JwksRefreshTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly TestSigningKey _current = new("kw-2030-01");
    private readonly TestSigningKey _next = new("kw-2030-02");
    private FakeKeyward _keyward = null!;
    private ProtectedApp _app = null!;

    public async Task InitializeAsync()
    {
        _keyward = await FakeKeyward.StartAsync();
        _keyward.Publish(_current);
        _app = await ProtectedApp.StartAsync(_keyward, _time);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _keyward.DisposeAsync();
    }

    private AssertionSpec Spec => new() { Issuer = _keyward.Issuer, IssuedAt = _time.GetUtcNow() };

    private async Task<HttpStatusCode> SendAsync(TestSigningKey key) => (await _app.GetWhoAmIAsync(Spec.Mint(key))).StatusCode;

    [Fact]
    public async Task Authenticate_UnknownKid_RefreshesOnceThenAcceptsRotatedKey()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        Assert.Equal(1, _keyward.FetchCount);

        _keyward.Publish(_current, _next);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_next));
        Assert.Equal(2, _keyward.FetchCount);

        Assert.Equal(HttpStatusCode.OK, await SendAsync(_next));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        Assert.Equal(2, _keyward.FetchCount);
    }

    [Fact]
    public async Task Authenticate_ConcurrentRequestsWithUnknownKid_ShareOneRefresh()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        _keyward.Publish(_current, _next);
        _keyward.ResponseDelay = TimeSpan.FromMilliseconds(300);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => SendAsync(_next)));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(2, _keyward.FetchCount);
    }

    [Fact]
    public async Task Authenticate_ConcurrentRequestsAtColdStart_ShareOneFetch()
    {
        _keyward.ResponseDelay = TimeSpan.FromMilliseconds(300);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => SendAsync(_current)));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1, _keyward.FetchCount);
    }

    [Fact]
    public async Task Authenticate_TwoUnknownKidsWithinInterval_FetchOnce()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));

        var first = await _app.GetWhoAmIAsync(Spec.Mint(new TestSigningKey("random-1")));
        await ProtectedApp.AssertProblemAsync(first, 401, "assertion_untrusted_key");
        Assert.Equal(2, _keyward.FetchCount);

        _time.Advance(TimeSpan.FromSeconds(29));
        var second = await _app.GetWhoAmIAsync(Spec.Mint(new TestSigningKey("random-2")));
        await ProtectedApp.AssertProblemAsync(second, 401, "assertion_untrusted_key");
        Assert.Equal(2, _keyward.FetchCount);

        _time.Advance(TimeSpan.FromSeconds(2));
        var third = await _app.GetWhoAmIAsync(Spec.Mint(new TestSigningKey("random-3")));
        await ProtectedApp.AssertProblemAsync(third, 401, "assertion_untrusted_key");
        Assert.Equal(3, _keyward.FetchCount);
    }

    [Fact]
    public async Task Authenticate_RotatedKeyDuringRateLimit_AcceptedOnceTheIntervalHasPassed()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(Spec.Mint(new TestSigningKey("random-1"))), 401, "assertion_untrusted_key");

        _keyward.Publish(_current, _next);
        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(Spec.Mint(_next)), 401, "assertion_untrusted_key");
        Assert.Equal(2, _keyward.FetchCount);

        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_next));
        Assert.Equal(3, _keyward.FetchCount);
    }

    [Fact]
    public async Task Authenticate_AfterCacheLifetime_FetchesAgain()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));

        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        Assert.Equal(1, _keyward.FetchCount);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        Assert.Equal(2, _keyward.FetchCount);
    }

    [Fact]
    public async Task Authenticate_KeyRemovedFromJwks_RefusedAfterCacheLifetime()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        _keyward.Publish(_next);

        _time.Advance(TimeSpan.FromMinutes(10));
        var response = await _app.GetWhoAmIAsync(Spec.Mint(_current));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_untrusted_key");
    }

    [Fact]
    public async Task Authenticate_JwksUnreachableAtStart_Returns503KeysUnavailableAndRetriesAfterInterval()
    {
        _keyward.FailWithStatus = 500;

        var response = await _app.GetWhoAmIAsync(Spec.Mint(_current));
        await ProtectedApp.AssertProblemAsync(response, 503, "assertion_keys_unavailable");
        Assert.Equal(1, _keyward.FetchCount);

        _keyward.FailWithStatus = null;
        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(Spec.Mint(_current)), 503, "assertion_keys_unavailable");
        Assert.Equal(1, _keyward.FetchCount);

        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
    }

    [Fact]
    public async Task Authenticate_JwksUnreachableLater_KeepsLastGoodKeys()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        _keyward.FailWithStatus = 503;

        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        Assert.Equal(2, _keyward.FetchCount);

        // The failure is not retried on every request.
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        Assert.Equal(2, _keyward.FetchCount);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"keys":{}}""")]
    [InlineData("""{"keys":[]}""")]
    [InlineData("""{"keys":[{"kty":"RSA","kid":"kw-2030-01","n":"AQAB","e":"AQAB"}]}""")]
    public async Task Authenticate_UnusableJwks_Returns503KeysUnavailable(string jwks)
    {
        _keyward.PublishRaw(jwks);

        var response = await _app.GetWhoAmIAsync(Spec.Mint(_current));

        await ProtectedApp.AssertProblemAsync(response, 503, "assertion_keys_unavailable");
    }

    [Fact]
    public async Task Authenticate_JwksRedirectsElsewhere_NotFollowedAndReturns503KeysUnavailable()
    {
        // The JWKS must come from the authority itself: a redirect (to a server publishing the same key, so only the
        // redirect can fail the request) is a failed fetch, and the other server is never asked.
        await using var elsewhere = await FakeKeyward.StartAsync();
        elsewhere.Publish(_current);
        _keyward.RedirectTo = new Uri(elsewhere.Issuer + "/.well-known/keyward/jwks.json");

        var response = await _app.GetWhoAmIAsync(Spec.Mint(_current));

        await ProtectedApp.AssertProblemAsync(response, 503, "assertion_keys_unavailable");
        Assert.Equal(1, _keyward.FetchCount);
        Assert.Equal(0, elsewhere.FetchCount);
    }

    [Fact]
    public async Task Authenticate_UnknownKidExactlyOneIntervalAfterTheLastRefresh_FetchesAgain()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(Spec.Mint(new TestSigningKey("random-1"))), 401, "assertion_untrusted_key");
        Assert.Equal(2, _keyward.FetchCount);

        _time.Advance(TimeSpan.FromSeconds(30));
        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(Spec.Mint(new TestSigningKey("random-2"))), 401, "assertion_untrusted_key");

        Assert.Equal(3, _keyward.FetchCount);
    }

    [Fact]
    public async Task Authenticate_FailedFetch_RetriedExactlyOneIntervalLaterNotBefore()
    {
        _keyward.FailWithStatus = 500;
        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(Spec.Mint(_current)), 503, "assertion_keys_unavailable");
        _keyward.FailWithStatus = null;

        _time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(Spec.Mint(_current)), 503, "assertion_keys_unavailable");
        Assert.Equal(1, _keyward.FetchCount);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
        Assert.Equal(2, _keyward.FetchCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Authenticate_JwksOfExactlyMaxDocumentBytes_IsReadAndOneByteMoreIsRefused(bool withContentLength)
    {
        _keyward.SendContentLength = withContentLength;
        _keyward.PublishRaw(PaddedJwks(KeywardJwksCache.MaxDocumentBytes + 1));

        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(Spec.Mint(_current)), 503, "assertion_keys_unavailable");

        _keyward.PublishRaw(PaddedJwks(KeywardJwksCache.MaxDocumentBytes));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
    }

    [Fact]
    public async Task Authenticate_ErrorStatusWithAJwksBody_BodyNotUsedAndReturns503KeysUnavailable()
    {
        _keyward.FailWithStatus = 500;
        _keyward.FailureBody = new System.Text.Json.Nodes.JsonObject { ["keys"] = new System.Text.Json.Nodes.JsonArray(_current.ToJwk()) }.ToJsonString();

        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(Spec.Mint(_current)), 503, "assertion_keys_unavailable");
    }

    [Fact]
    public async Task Authenticate_JwksRequest_AcceptsJson()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));

        Assert.Equal("application/json", _keyward.LastAccept);
    }

    [Fact]
    public async Task Authenticate_SmallJwksWithContentLength_IsRead()
    {
        _keyward.SendContentLength = true;

        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));
    }

    [Fact]
    public async Task Authenticate_SuccessfulFetch_IsLoggedWithTheKeyCount()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(_current));

        Assert.Contains(_app.Logs.Lines, line => line.EventId == 9101 && line.Text.Contains("1 signing keys", StringComparison.Ordinal));
    }

    private string PaddedJwks(int length)
    {
        var json = new System.Text.Json.Nodes.JsonObject { ["keys"] = new System.Text.Json.Nodes.JsonArray(_current.ToJwk()) }.ToJsonString();
        return json + new string(' ', length - json.Length);
    }
}
