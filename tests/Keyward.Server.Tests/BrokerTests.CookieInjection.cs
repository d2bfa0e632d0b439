using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>
/// Cookies planted by a same-site page. Some browsers apply the <c>__Host-</c> rules only to that exact spelling, so a
/// sibling subdomain (or script on another app host) can set <c>__host-keyward-…; Domain=example.com</c>; ASP.NET Core
/// reads cookie names ignoring case and lets the later duplicate win. Keyward reads its cookies by exact name, once: a
/// second one or another spelling is a conflict, never a credential (found by an adversarial review).
/// </summary>
public abstract partial class BrokerTests
{
    [Theory]
    [InlineData("__host-keyward-pre={v}")]
    [InlineData("__Host-keyward-pre=victimsOwnVerifierxxxxxxxxxxxxxxxxxxxxxxxxx; __host-keyward-pre={v}")]
    [InlineData("__Host-keyward-pre=victimsOwnVerifierxxxxxxxxxxxxxxxxxxxxxxxxx; __Host-keyward-pre={v}")]
    public async Task Handoff_PlantedPreCookie_CannotRedeemTheAttackersCode(string cookieHeader)
    {
        var (host, client, attacker) = await StartWithAdminAsync();
        var (code, verifier) = await IssueCodeAsync(client, attacker);

        var redeemed = await NavigateAsync(client, $"https://{AppHost}/.keyward/callback?code={code}", cookieHeader.Replace("{v}", verifier, StringComparison.Ordinal));

        ProblemAssert.Problem(redeemed, 400, "handoff_verifier_mismatch");
        Assert.False(redeemed.Headers.Contains("Set-Cookie") && redeemed.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(AppCookie, StringComparison.Ordinal)));
        await AssertRefusedAsync(host, "handoff_verifier_mismatch");
    }

    [Theory]
    [InlineData("__host-keyward-app={app}")]
    [InlineData("__Host-keyward-app={app}; __host-keyward-app={app}")]
    [InlineData("__Host-keyward-app={app}; __Host-keyward-app={app}")]
    public async Task AppCookie_PlantedSpellingOrDuplicate_IsAConflictNeverASessionAndNeverAHandoffLoop(string cookieHeader)
    {
        var (_, client, attacker) = await StartWithAdminAsync();
        var app = await SignInToAppAsync(client, attacker);
        var cookie = cookieHeader.Replace("{app}", app, StringComparison.Ordinal);

        ProblemAssert.Problem(await client.GetAsync($"https://{AppHost}/x", configure: r => r.Headers.TryAddWithoutValidation("Cookie", cookie)), 401, "cookie_conflict");

        // A page load gets the problem, not a redirect to the handoff: the planted cookie would still be there on return.
        var navigation = await NavigateAsync(client, $"https://{AppHost}/x", cookie);
        ProblemAssert.Problem(navigation, 401, "cookie_conflict");
        Assert.Null(navigation.Headers.Location);
        Assert.Equal(0, Echo.RequestCount);
    }

    [Theory]
    [InlineData("__host-keyward-session={token}")]
    [InlineData("__Host-keyward-session={token}; __HOST-KEYWARD-SESSION={token}")]
    public async Task SessionCookie_PlantedSpellingOrDuplicate_IsAConflictNeverASession(string cookieHeader)
    {
        var (_, client, attacker) = await StartWithAdminAsync();

        var keys = await client.GetAsync("/api/keys", configure: r => r.Headers.TryAddWithoutValidation("Cookie", cookieHeader.Replace("{token}", attacker.Token, StringComparison.Ordinal)));

        ProblemAssert.Problem(keys, 401, "cookie_conflict");
    }

    [Fact]
    public async Task Handoff_ReturnPathQuery_IsNeverAudited()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var start = await NavigateAsync(client, $"https://{AppHost}/reset?token=SECRETRESETTOKEN123", cookie: null);
        var issued = await NavigateAsync(client, start.Headers.Location!.ToString(), $"{SessionCookie}={admin.Token}");
        Assert.Equal(302, issued.StatusCode);

        var events = await AllEventsAsync(host);
        Assert.Contains(events, e => e.Action == Core.Audit.AuditActions.HandoffIssued && e.Details["return"] == "/reset");
        Assert.DoesNotContain(events, e => e.Details.Values.Any(v => v.Contains("SECRETRESETTOKEN123", StringComparison.Ordinal)));
    }
}
