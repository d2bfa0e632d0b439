using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    /// <summary>
    /// Two nodes on one database (PostgreSQL only: on SQLite a second Keyward on the same data directory refuses to
    /// start, see <see cref="SqliteBrokerTests"/>).
    /// </summary>
    protected async Task TwoNodesSessionFromOneWorksOnOtherAndLogoutIsSeenWithinRevalidateIntervalAsync()
    {
        var (nodeA, clientA, admin) = await StartWithAdminAsync();
        var nodeB = await StartHostAsync(now: nodeA.Time.GetUtcNow());
        var clientB = ClientOf(nodeB);

        Assert.Null(nodeB.SetupCode);
        ProblemAssert.Ok(await clientB.StatusAsync(admin.Token));
        UpstreamView.Parse(await clientB.ProxyAsync("/echo/x", admin.Token));

        ProblemAssert.Ok(await clientA.LogoutAsync(admin.Token));
        ProblemAssert.Problem(await clientA.StatusAsync(admin.Token), 401, "session_logged_out");

        // Node B may trust its cached view for Keyward:Sessions:CacheRevalidateInterval (5 s), no longer.
        nodeB.Time.Advance(TimeSpan.FromSeconds(6));
        ProblemAssert.Problem(await clientB.StatusAsync(admin.Token), 401, "session_logged_out");
        ProblemAssert.Problem(await clientB.ProxyAsync("/echo/x", admin.Token), 401, "session_logged_out");
    }

    /// <summary>A second Keyward on the same SQLite data directory stops at start, before it writes anything.</summary>
    protected async Task SecondNodeOnTheSameDataDirectoryRefusesToStartAsync()
    {
        var (nodeA, clientA, admin) = await StartWithAdminAsync();
        var events = (await AllEventsAsync(nodeA)).Count;

        var refused = await Assert.ThrowsAsync<Keyward.Server.Http.KeywardStartupException>(() => StartHostAsync(now: nodeA.Time.GetUtcNow()));

        Assert.Contains("keyward.lock", refused.Message, StringComparison.Ordinal);
        Assert.Equal(events, (await AllEventsAsync(nodeA)).Count);
        ProblemAssert.Ok(await clientA.StatusAsync(admin.Token));
    }
}
