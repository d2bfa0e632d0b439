using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests.Relay;

/// <summary>
/// Two findings of the adversarial review of remote support (review 11b), kept as the tests that pinned them: forged
/// join tokens limited per address before the database, and the console's files revalidated on every load.
/// </summary>
public sealed class ViewerFloodAndCacheTests(RelayHost host) : IClassFixture<RelayHost>
{
    /// <summary>
    /// Finding 8. The viewer plane has no limit before its atomic consume. A join token's shape check is a public
    /// CRC-32 (SecretToken.Checksum), so anyone forges well-formed <c>kwj_</c> values for free, and each forged upgrade
    /// costs Keyward a conditional UPDATE and a SELECT (JoinTokenService.RedeemAsync); on SQLite that UPDATE takes the
    /// database's one write lock even when it matches no row, so an anonymous flood queues behind it every sign-in, audit
    /// write and consume. The agent plane's enroll (10 a minute per address) and support codes (10 per address group,
    /// 60 failures globally) have limits in front of their consume; the viewer plane should too.
    /// </summary>
    [Fact]
    public async Task ViewerPlane_ForgedJoinTokensFromOneAddress_AreLimitedBeforeTheDatabase()
    {
        var session = Guid.NewGuid();
        var statuses = new List<int>();
        for (var i = 0; i < 200; i++)
        {
            var forged = Keyward.Core.Credentials.SecretToken.Generate(Keyward.Core.Credentials.CredentialKind.Join);
            statuses.Add((await host.Client.ProbeUpgradeAsync($"/viewer/v1/sessions/{session}?kind=tcp&port=22&join={forged}", origin: null)).StatusCode);
        }

        Assert.All(statuses, s => Assert.True(s is 401 or 429, $"status {s}"));
        Assert.Contains(429, statuses);
    }

    /// <summary>
    /// Finding 7. The console's page and modules are static files, which match no endpoint, so
    /// SecurityHeadersMiddleware gives them no Cache-Control and StaticFiles sends only Last-Modified and ETag: a
    /// browser may then reuse them without asking (heuristic freshness, RFC 9111 §4.2.2, typically a tenth of their
    /// age). After an upgrade that fixes the console (its CSP shim, a rendering bug), browsers can keep running the
    /// old code for days. They should be revalidated on every load (no-cache; ETag keeps that cheap).
    /// </summary>
    [Theory]
    [InlineData("/console/")]
    [InlineData("/console/console.js")]
    [InlineData("/shared/keyward.js")]
    [InlineData("/console/panes/support/terminal.js")]
    public async Task StaticFiles_TheConsolesFiles_AreRevalidatedOnEveryLoad(string path)
    {
        var answer = await host.Client.SendAsync(HttpMethod.Get, path);
        ProblemAssert.Ok(answer);

        var cacheControl = answer.Headers.CacheControl;
        Assert.True(cacheControl is { NoCache: true } or { NoStore: true }, $"{path}: Cache-Control is '{cacheControl}'");
    }
}
