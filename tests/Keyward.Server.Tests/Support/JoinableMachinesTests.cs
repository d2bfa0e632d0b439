using System.Text.Json.Nodes;
using Keyward.Server.Tests.Agents;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing;

namespace Keyward.Server.Tests.Support;

/// <summary>
/// GET /api/support/machines (issue 11, item 7): the machines the caller may join, as the join check decides, from the
/// real machines table: a joiner sees the machine, anyone else does not, admins see the machines that list no one,
/// deleted machines never appear, nothing admin-only is answered, and only a session opens it.
/// </summary>
public sealed class JoinableMachinesTests(AgentHost host) : IClassFixture<AgentHost>
{
    private const string Path = "/api/support/machines";

    [Fact]
    public async Task AUserInTheJoiners_SeesTheMachine_AUserNotInThem_DoesNot()
    {
        var (bob, bobName) = await UserAsync();
        var (carol, _) = await UserAsync();
        var bobs = await EnrollAsync(new JsonObject { ["accounts"] = new JsonArray(bobName) });
        var adminsOnly = await EnrollAsync(joiners: null);

        var forBob = await ListAsync(bob);
        var forCarol = await ListAsync(carol);

        Assert.Contains(bobs, forBob);
        Assert.DoesNotContain(adminsOnly, forBob);
        Assert.DoesNotContain(bobs, forCarol);
        Assert.DoesNotContain(adminsOnly, forCarol);
    }

    [Fact]
    public async Task AJoinerRole_LetsEveryUserOfItSee_AndAnAdminSeesTheMachinesThatListNoOne()
    {
        var (dave, _) = await UserAsync();
        var forUsers = await EnrollAsync(new JsonObject { ["roles"] = new JsonArray("user") });
        var adminsOnly = await EnrollAsync(joiners: null);
        var admin = await host.AdminAsync();

        var forDave = await ListAsync(dave);
        var forAdmin = await ListAsync(admin);

        Assert.Contains(forUsers, forDave);
        Assert.Contains(adminsOnly, forAdmin);
        // The join check's own rule: a machine that names joiners admits only them, admins included.
        Assert.DoesNotContain(forUsers, forAdmin);
    }

    [Fact]
    public async Task ADeletedMachine_IsNeverListed()
    {
        var admin = await host.AdminAsync();
        var deleted = await EnrollAsync(joiners: null);
        Assert.Contains(deleted, await ListAsync(admin));

        ProblemAssert.Ok(await host.Client.DeleteAsync($"/api/admin/machines/{deleted}", admin.Token), 204);

        Assert.DoesNotContain(deleted, await ListAsync(await host.AdminAsync()));
    }

    [Fact]
    public async Task TheAnswer_IsNoStore_ShowsOnlineAndPolicy_AndNothingAdminOnly()
    {
        var (erin, erinName) = await UserAsync();
        var joinable = await EnrollAsync(new JsonObject { ["accounts"] = new JsonArray(erinName) }, "unattended");

        var response = await host.Client.GetAsync(Path, erin.Token);

        ProblemAssert.Ok(response);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.False(response.Json.GetProperty("truncated").GetBoolean());
        var item = response.Json.GetProperty("machines").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == joinable);
        Assert.Equal("unattended", item.GetProperty("policy").GetString());
        Assert.False(item.GetProperty("online").GetBoolean());
        Assert.Equal(
            new[] { "id", "label", "last_seen_at", "online", "policy" },
            item.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AConnectedAgent_IsOnline()
    {
        var admin = await host.AdminAsync();
        var (machine, key) = await host.EnrollMachineAsync();
        using var agent = await host.ConnectAsync(key);

        var response = await host.Client.GetAsync(Path, admin.Token);

        var item = response.Json.GetProperty("machines").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == machine);
        Assert.True(item.GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task Unauthenticated_Is401_AndAnAgentKeyOrJoinToken_Is401()
    {
        var (_, key) = await host.EnrollMachineAsync();
        var admin = await host.AdminAsync();
        var opened = await host.Client.SendAsync(HttpMethod.Post, "/api/support/sessions", new JsonObject { ["reason"] = "list" }, admin.Token);
        ProblemAssert.Ok(opened);
        var joined = await host.Client.SendAsync(HttpMethod.Post, $"/api/support/sessions/{opened.Json.GetProperty("id").GetGuid()}/join", new JsonObject(), admin.Token);
        ProblemAssert.Ok(joined);
        var joinToken = joined.GetString("join_token");

        ProblemAssert.Problem(await host.Client.GetAsync(Path), 401, "session_missing");
        ProblemAssert.Problem(await host.Client.GetAsync(Path, configure: r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key)), 401, "session_invalid");
        ProblemAssert.Problem(await host.Client.GetAsync(Path, configure: r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + joinToken)), 401, "session_invalid");
    }

    private async Task<(TestSession Session, string Name)> UserAsync()
    {
        var admin = await host.AdminAsync();
        var name = $"tech{Guid.NewGuid():N}"[..12];
        var key = KeywardTestClient.NewKey();
        await host.Client.RegisterWithInviteAsync(await host.Client.CreateInviteAsync(admin.Token, name, "user"), key);
        return (await host.Client.LoginAsync(null, key), name);
    }

    private async Task<Guid> EnrollAsync(JsonObject? joiners, string policy = "attended")
    {
        var response = await host.EnrollAsync(await host.MintEnrollTokenAsync(policy: policy, joiners: joiners));
        ProblemAssert.Ok(response);
        return Guid.Parse(response.GetString("machine_id"));
    }

    private async Task<List<Guid>> ListAsync(TestSession caller)
    {
        var response = await host.Client.GetAsync(Path, caller.Token);
        ProblemAssert.Ok(response);
        return [.. response.Json.GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("id").GetGuid())];
    }
}
