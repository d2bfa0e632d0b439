using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    [Fact]
    public async Task TwoNodes_SessionFromOneWorksOnOther_LogoutSeenWithinRevalidateInterval()
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
}
