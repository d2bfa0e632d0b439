using Keyward.Core.Agents;
using Keyward.Server.Agents;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests.Agents;

/// <summary>A Keyward whose replacement window (30 s) is shorter than the heartbeat timeout (60 s), so the fake clock can leave it.</summary>
public sealed class ReplacementHost : AgentHost
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Keyward:Agents:ReplacementWindow"] = "00:00:30",
    };
}

/// <summary>
/// A stolen agent key (review finding 1): two agents with one key replace each other (4409) and the real one backs
/// off. Each replacement is audited with both addresses; three within the window quarantine the machine: its key is
/// revoked and both sockets close 4401.
/// </summary>
public sealed class AgentReplacementTests(ReplacementHost host) : IClassFixture<ReplacementHost>
{
    private AgentDirectory Directory => host.Host.GetRequiredService<AgentDirectory>();

    [Fact]
    public async Task ThreeReplacementsInTheWindow_RevokeTheKey_AndCloseBothSocketsWith4401()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        await host.NewEventsAsync();
        using var a = await host.ConnectAsync(key);
        using var b = await host.ConnectAsync(key);
        Assert.Equal(4409, (await a.ReadCloseAsync()).Status);
        using var c = await host.ConnectAsync(key);
        Assert.Equal(4409, (await b.ReadCloseAsync()).Status);

        var (d, status) = await host.TryConnectAsync(key);

        Assert.Equal(101, status);
        Assert.Equal((4401, AgentReplacementGuard.QuarantineReason), await c.ReadCloseAsync());
        Assert.Equal(4401, (await d!.ReadCloseAsync()).Status);
        d.Dispose();
        ProblemAssert.Problem(await host.ProbeConnectAsync(key), 401, "agent_key_revoked");
        var events = await host.NewEventsAsync();
        var replaced = events.Where(e => e.Action == AgentAuditActions.Replaced && e.Target == machine.ToString()).ToList();
        Assert.Equal(["1", "2", "3"], replaced.Select(e => e.Details["replacements_in_window"]));
        Assert.All(replaced, e => Assert.True(e.Details["previous_address"] == e.Details["address"] && e.Details["address"] != "unknown" && e.ClientAddress == e.Details["address"]));
        Assert.All(events, e => Assert.DoesNotContain(key, string.Join(" ", e.Details.Values), StringComparison.Ordinal));
        var quarantined = Assert.Single(events, e => e.Action == AgentAuditActions.Quarantined);
        Assert.Equal((machine.ToString(), "replaced repeatedly: key presumed stolen"), (quarantined.Target, quarantined.Details["reason"]));
        Assert.NotNull((await host.Host.GetRequiredService<MachineService>().FindAsync(machine, Keyward.Core.Storage.Tenants.Default))!.KeyRevokedAt);
    }

    [Fact]
    public async Task TwoReplacementsInTheWindow_DoNotRevoke_AndOlderOnesLeaveTheWindow()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        using var a = await host.ConnectAsync(key);
        using var b = await host.ConnectAsync(key);
        using var c = await host.ConnectAsync(key);

        // Two replacements: still connected, key still good.
        Assert.False(Directory.Find(machine)!.IsClosing);

        // Both leave the 30 s window (the heartbeat timeout, 60 s, is not reached); two more are again only two.
        host.Time.Advance(TimeSpan.FromSeconds(31));
        using var d = await host.ConnectAsync(key);
        using var e = await host.ConnectAsync(key);

        Assert.Equal(4409, (await d.ReadCloseAsync()).Status);
        Assert.False(Directory.Find(machine)!.IsClosing);
        Assert.Null((await host.Host.GetRequiredService<MachineService>().FindAsync(machine, Keyward.Core.Storage.Tenants.Default))!.KeyRevokedAt);
        Assert.DoesNotContain(await host.NewEventsAsync(), ev => ev.Action == AgentAuditActions.Quarantined && ev.Target == machine.ToString());
    }
}
