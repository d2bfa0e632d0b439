using System.Text.Json.Nodes;
using Keyward.Core.Agents;
using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests.Agents;

/// <summary>
/// Review finding 4 (issue 11) on the agent plane: a revoked agent key presented again and again is one
/// <c>agent.key_refused</c> event, then one count per interval, never an event per attempt (so is a spent enroll
/// token); two keys are two keys.
/// </summary>
public sealed class RepeatedRefusalTests(AgentHost host) : IClassFixture<AgentHost>
{
    private async Task<(Guid Machine, string Key)> RevokedMachineAsync()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        var admin = await host.AdminAsync();
        ProblemAssert.Ok(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/machines/{machine}/revoke", new JsonObject(), admin.Token), 204);
        return (machine, key);
    }

    [Fact]
    public async Task RevokedKey_PresentedTwentyTimes_IsOneEventThenOneCount()
    {
        var (machine, key) = await RevokedMachineAsync();
        await host.NewEventsAsync();

        for (var i = 0; i < 20; i++)
        {
            ProblemAssert.Problem(await host.ProbeConnectAsync(key), 401, "agent_key_revoked");
        }

        var first = Assert.Single(await host.NewEventsAsync(), e => e.Action == AgentAuditActions.KeyRefused);
        Assert.Equal((machine.ToString(), "agent_key_revoked"), (first.Target, first.Details["code"]));
        Assert.False(first.Details.ContainsKey("count"));

        // The interval closes (the timer on the fake clock calls the same flush).
        await host.Host.GetRequiredService<RepeatedRefusals>().FlushAsync();
        var counted = Assert.Single(await host.NewEventsAsync(), e => e.Action == AgentAuditActions.KeyRefused);
        Assert.Equal((machine.ToString(), "agent_key_revoked", "kwa_", "19"), (counted.Target, counted.Details["code"], counted.Details["presented"], counted.Details["count"]));
    }

    [Fact]
    public async Task ConsumedEnrollToken_PresentedAgain_IsOneEventThenOneCount()
    {
        var token = await host.MintEnrollTokenAsync();
        ProblemAssert.Ok(await host.EnrollAsync(token), 200);
        await host.NewEventsAsync();

        for (var i = 0; i < 5; i++)
        {
            ProblemAssert.Problem(await host.EnrollAsync(token), 401, "enroll_token_consumed");
        }

        Assert.Single(await host.NewEventsAsync(), e => e.Action == AgentAuditActions.EnrollRefused);
        await host.Host.GetRequiredService<RepeatedRefusals>().FlushAsync();
        var counted = Assert.Single(await host.NewEventsAsync(), e => e.Action == AgentAuditActions.EnrollRefused);
        Assert.Equal(("enroll_token_consumed", "4"), (counted.Details["code"], counted.Details["count"]));
    }

    [Fact]
    public async Task TwoRevokedKeys_AreCountedApart()
    {
        var (one, oneKey) = await RevokedMachineAsync();
        var (two, twoKey) = await RevokedMachineAsync();
        await host.NewEventsAsync();

        for (var i = 0; i < 4; i++)
        {
            ProblemAssert.Problem(await host.ProbeConnectAsync(oneKey), 401, "agent_key_revoked");
            ProblemAssert.Problem(await host.ProbeConnectAsync(twoKey), 401, "agent_key_revoked");
        }

        await host.Host.GetRequiredService<RepeatedRefusals>().FlushAsync();
        var refused = (await host.NewEventsAsync()).Where(e => e.Action == AgentAuditActions.KeyRefused).ToList();
        Assert.Equal(
            new[] { (one.ToString(), "-"), (one.ToString(), "3"), (two.ToString(), "-"), (two.ToString(), "3") }.Order().ToArray(),
            refused.Select(e => (e.Target!, e.Details.GetValueOrDefault("count", "-"))).Order().ToArray());
    }
}

/// <summary>Review finding 4 for limits: <c>rate_limit.hit</c> at most once per address and interval, then a count.</summary>
public sealed class RepeatedRateLimitTests(EnrollRateLimitTests.LimitedHost host) : IClassFixture<EnrollRateLimitTests.LimitedHost>
{
    [Fact]
    public async Task Enroll_PastTheLimitNineTimes_IsOneRateLimitEventThenOneCount()
    {
        for (var i = 0; i < 3; i++)
        {
            ProblemAssert.Problem(await host.EnrollAsync("kwe_guess"), 401, "enroll_token_invalid");
        }

        await host.NewEventsAsync();
        for (var i = 0; i < 9; i++)
        {
            ProblemAssert.Problem(await host.EnrollAsync("kwe_guess"), 429, "rate_limited");
        }

        var hit = Assert.Single(await host.NewEventsAsync(), e => e.Action == AuditActions.RateLimited);
        Assert.Equal("agent.enroll.address", hit.Target);
        await host.Host.GetRequiredService<RepeatedRefusals>().FlushAsync();
        var counted = Assert.Single(await host.NewEventsAsync(), e => e.Action == AuditActions.RateLimited);
        Assert.Equal(("agent.enroll.address", "8"), (counted.Target, counted.Details["count"]));
    }
}
