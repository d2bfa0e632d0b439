using Keyward.Core.Audit;
using Keyward.Core.Credentials;
using Keyward.Server.Support;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests.Support;

/// <summary>
/// The viewer plane's limit on refused join tokens (review11b finding 8): per address group, before the database, and
/// only failures count, so a technician using the tokens Keyward minted is never held back by it.
/// </summary>
public sealed class JoinFailureLimitTests : IAsyncLifetime
{
    private SupportHost _keyward = null!;

    public async Task InitializeAsync() => _keyward = await SupportHost.StartAsync(new Dictionary<string, string>
    {
        ["Keyward:Support:JoinFailuresPerAddressPerMinute"] = "3",
    });

    public async Task DisposeAsync() => await _keyward.DisposeAsync();

    [Fact]
    public async Task ForgedTokens_PastTheLimit_Are429JoinRateLimited_WithRetryAfter_AndOneRateLimitEvent()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin);
        var answers = new List<KeywardResponse>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await _keyward.ProbeViewerAsync(session, SecretToken.Generate(CredentialKind.Join)));
        }

        Assert.Equal([.. Enumerable.Repeat("join_token_invalid", 3), .. Enumerable.Repeat("join_rate_limited", 3)], answers.Select(a => a.Code));
        ProblemAssert.Problem(answers[^1], 429, "join_rate_limited");
        Assert.True(answers[^1].Headers.RetryAfter?.Delta is { TotalSeconds: > 0 and <= 60 }, $"Retry-After: {answers[^1].Headers.RetryAfter}");
        var hits = (await _keyward.EventsAsync()).Where(e => e.Action == AuditActions.RateLimited && e.Target == ViewerGate.FailureLimit).ToList();
        Assert.Single(hits);

        // Refused before the database: even a real token from this address waits for the next window.
        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(session, await _keyward.JoinTokenAsync(_keyward.Admin, session)), 429, "join_rate_limited");
        _keyward.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(101, (await _keyward.ProbeViewerAsync(session, await _keyward.JoinTokenAsync(_keyward.Admin, session))).StatusCode);
    }

    [Fact]
    public async Task RedeemedTokens_DoNotCountTowardTheLimit()
    {
        // A real token presented on another session is redeemed (and spent) before it is refused: no failure of the limit.
        var session = await _keyward.OpenIdAsync(_keyward.Admin);
        var other = await _keyward.OpenIdAsync(_keyward.Admin);
        for (var i = 0; i < 8; i++)
        {
            ProblemAssert.Problem(await _keyward.ProbeViewerAsync(other, await _keyward.JoinTokenAsync(_keyward.Admin, session)), 403, "join_wrong_session");
        }
    }

    [Fact]
    public void Limiter_AnAddressGroupAtItsLimit_DoesNotHoldBackAnother()
    {
        var limiter = new JoinFailureLimiter(Options.Create(new SupportOptions { JoinFailuresPerAddressPerMinute = 2 }), new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        Assert.Null(limiter.TryReserve("203.0.113.7"));
        Assert.Null(limiter.TryReserve("203.0.113.7"));
        Assert.NotNull(limiter.TryReserve("203.0.113.7"));

        Assert.Null(limiter.TryReserve("198.51.100.1"));
    }

    [Fact]
    public void Limiter_ARefundedReservation_FreesItsPlace_AndTheWindowResets()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var limiter = new JoinFailureLimiter(Options.Create(new SupportOptions { JoinFailuresPerAddressPerMinute = 1 }), time);
        Assert.Null(limiter.TryReserve("g"));
        limiter.Refund("g");
        Assert.Null(limiter.TryReserve("g"));
        Assert.Equal(TimeSpan.FromSeconds(60), limiter.TryReserve("g"));

        time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(TimeSpan.FromSeconds(15), limiter.TryReserve("g"));
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Null(limiter.TryReserve("g"));
    }
}
