using System.Text.Json.Nodes;
using Keyward.Core.Agents;
using Keyward.Core.Storage;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests.Agents;

/// <summary>
/// Enrollment over HTTP (docs/remote-support.md, "Enrollment"): the admin's enroll token, its single use under real
/// concurrency, expiry on the fake clock, revocation, other kinds refused, claims that select nothing, and the admin API's bounds.
/// </summary>
public sealed class AgentEnrollmentTests(AgentHost host) : IClassFixture<AgentHost>
{
    [Fact]
    public async Task Enroll_FreshToken_AnswersItsMachineAndAKeyOnce_AndAuditsWithoutEither()
    {
        var token = await host.MintEnrollTokenAsync("front desk", "unattended");
        await host.NewEventsAsync();

        var response = await host.EnrollAsync(token);

        ProblemAssert.Ok(response);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var key = response.GetString("agent_key");
        Assert.StartsWith("kwa_", key, StringComparison.Ordinal);
        Assert.Equal(("front desk", "unattended"), (response.GetString("label"), response.GetString("policy")));
        var machineId = response.GetString("machine_id");
        var events = await host.NewEventsAsync();
        var enrolled = Assert.Single(events, e => e.Action == AgentAuditActions.Enrolled);
        Assert.Equal(machineId, enrolled.Target);
        Assert.All(events, e => Assert.DoesNotContain(key[4..12], System.Text.Json.JsonSerializer.Serialize(e), StringComparison.Ordinal));
        Assert.All(events, e => Assert.DoesNotContain(token[4..12], System.Text.Json.JsonSerializer.Serialize(e), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enroll_TwentyAtOnce_EnrollsExactlyOneMachine()
    {
        var token = await host.MintEnrollTokenAsync("contended");

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => host.EnrollAsync(token))));

        Assert.Single(answers, a => a.StatusCode == 200);
        Assert.All(answers.Where(a => a.StatusCode != 200), a => ProblemAssert.Problem(a, 401, "enroll_token_consumed"));
        await using var db = host.Host.GetRequiredService<KeywardDatabase>().CreateContext();
        Assert.Equal(1, await db.Machines.CountAsync(m => m.Label == "contended"));
    }

    [Fact]
    public async Task Enroll_UsedToken_IsRefusedConsumed()
    {
        var token = await host.MintEnrollTokenAsync();
        ProblemAssert.Ok(await host.EnrollAsync(token));

        ProblemAssert.Problem(await host.EnrollAsync(token), 401, "enroll_token_consumed");
    }

    [Fact]
    public async Task Enroll_PastItsLifetime_IsRefusedExpired()
    {
        var token = await host.MintEnrollTokenAsync();
        var fresh = await host.MintEnrollTokenAsync();
        host.Time.Advance(TimeSpan.FromHours(1));

        ProblemAssert.Problem(await host.EnrollAsync(token), 401, "enroll_token_expired");
        ProblemAssert.Problem(await host.EnrollAsync(fresh), 401, "enroll_token_expired");
        ProblemAssert.Ok(await host.EnrollAsync(await host.MintEnrollTokenAsync()));
    }

    [Fact]
    public async Task Enroll_RevokedToken_IsRefusedRevoked()
    {
        var admin = await host.AdminAsync();
        var created = await host.Client.SendAsync(HttpMethod.Post, "/api/admin/enroll-tokens", new JsonObject { ["label"] = "revoked" }, admin.Token);
        var id = created.GetString("id");

        ProblemAssert.Ok(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/enroll-tokens/{id}/revoke", new JsonObject(), admin.Token), 204);

        ProblemAssert.Problem(await host.EnrollAsync(created.GetString("enroll_token")), 401, "enroll_token_revoked");
        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/enroll-tokens/{id}/revoke", new JsonObject(), admin.Token), 404, "enroll_token_not_found");
    }

    [Fact]
    public async Task Enroll_OtherKindsOfCredential_AreRefusedBeforeAnyWork_AndAudited()
    {
        var admin = await host.AdminAsync();
        var (_, key) = await host.EnrollMachineAsync();
        await host.NewEventsAsync();

        ProblemAssert.Problem(await host.EnrollAsync(admin.Token), 401, "enroll_token_invalid");
        ProblemAssert.Problem(await host.EnrollAsync(key), 401, "enroll_token_invalid");
        ProblemAssert.Problem(await host.EnrollAsync("kwe_garbage"), 401, "enroll_token_invalid");

        var events = await host.NewEventsAsync();
        var session = Assert.Single(events, e => e.Action == AgentAuditActions.EnrollRefused);
        Assert.Equal(("enroll_token_invalid", "kws_", "admin"), (session.Details["code"], session.Details["presented"], session.Actor));
        Assert.Contains(events, e => e.Action == Keyward.Core.Audit.AuditActions.UnauthenticatedRefusals && e.Details["codes"].Contains("enroll_token_invalid=2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enroll_ClaimingAnotherMachinesId_MakesANewMachineAndLeavesTheOtherAlone()
    {
        var (victim, _) = await host.EnrollMachineAsync("victim");

        var response = await host.EnrollAsync(await host.MintEnrollTokenAsync("intruder"), new JsonObject { ["machine_id"] = victim.ToString(), ["hostname"] = "evil" });

        ProblemAssert.Ok(response);
        Assert.NotEqual(victim.ToString(), response.GetString("machine_id"));
        var stored = await host.Host.GetRequiredService<MachineService>().FindAsync(victim, Tenants.Default);
        Assert.Equal(("victim", "test-host"), (stored!.Label, stored.Hostname));
    }

    [Fact]
    public async Task Enroll_HostnameAndVersionWithControlOrBidiCharacters_AreStoredWithoutThem()
    {
        var response = await host.EnrollAsync(await host.MintEnrollTokenAsync("odd"), new JsonObject { ["hostname"] = "web\u001b[2J01\u202e\r\n", ["version"] = "1.0\u0007\u2066" });

        ProblemAssert.Ok(response);
        var stored = await host.Host.GetRequiredService<MachineService>().FindAsync(Guid.Parse(response.GetString("machine_id")), Tenants.Default);
        Assert.Equal(("web[2J01", "1.0"), (stored!.Hostname, stored.Version));
    }

    [Fact]
    public void Bounded_StripsControlAndBidiCharacters_ThenCuts_AndNothingLeftIsNull()
    {
        // The Keyward-Agent-Version header of each connection passes through the same function.
        Assert.Equal("1.2.3", EnrollmentService.Bounded("1.2\t.3\u200f", 64));
        Assert.Equal("abc", EnrollmentService.Bounded("a\u202ab\u0085cdef", 3));
        Assert.Null(EnrollmentService.Bounded("\u001b\u2067", 64));
    }

    [Fact]
    public async Task CreateToken_WithoutStepUp_IsRefusedAndMintsNothing()
    {
        var admin = await host.Client.LoginAsync("admin");
        await using var db = host.Host.GetRequiredService<KeywardDatabase>().CreateContext();
        var before = await db.EnrollTokens.CountAsync();

        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, "/api/admin/enroll-tokens", new JsonObject { ["label"] = "x" }, admin.Token), 401, "step_up_required");

        Assert.Equal(before, await db.EnrollTokens.CountAsync());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"label\": \"\"}")]
    [InlineData("{\"label\": \"x\", \"policy\": \"whenever\"}")]
    [InlineData("{\"label\": \"x\", \"lifetime_seconds\": 10}")]
    [InlineData("{\"label\": \"x\", \"lifetime_seconds\": 100000000}")]
    [InlineData("{\"label\": \"x\", \"joiners\": {\"roles\": [\"root\"]}}")]
    [InlineData("{\"label\": \"printer\\u001b[2J\"}")]
    [InlineData("{\"label\": \"invoice\\u202Efdp.exe\"}")]
    public async Task CreateToken_InvalidRequest_IsRefused(string body)
    {
        var admin = await host.AdminAsync();

        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, "/api/admin/enroll-tokens", JsonNode.Parse(body), admin.Token), 400, "enroll_request_invalid");
    }

    [Fact]
    public async Task CreateToken_UnknownJoiner_IsRefused()
    {
        var admin = await host.AdminAsync();
        var body = new JsonObject { ["label"] = "x", ["joiners"] = new JsonObject { ["accounts"] = new JsonArray("nobody") } };

        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, "/api/admin/enroll-tokens", body, admin.Token), 404, "account_not_found");
    }

    [Fact]
    public async Task CreateToken_Joiners_AreBoundToTheMachine()
    {
        var token = await host.MintEnrollTokenAsync("joined", joiners: new JsonObject { ["accounts"] = new JsonArray("admin"), ["roles"] = new JsonArray("user") });

        var response = await host.EnrollAsync(token);

        var machine = await host.Host.GetRequiredService<MachineService>().FindAsync(Guid.Parse(response.GetString("machine_id")), Tenants.Default);
        Assert.Single(machine!.Joiners.Accounts);
        Assert.Equal(["user"], machine.Joiners.Roles);
    }

    [Fact]
    public async Task BulkDelete_IsBoundedAndDeletesOnlyWhatExists()
    {
        var admin = await host.AdminAsync();
        var (first, _) = await host.EnrollMachineAsync();
        var (second, _) = await host.EnrollMachineAsync();
        var unknown = Guid.NewGuid();
        var tooMany = new JsonArray([.. Enumerable.Range(0, 101).Select(_ => (JsonNode)Guid.NewGuid().ToString())]);

        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, "/api/admin/machines/delete", new JsonObject { ["ids"] = tooMany }, admin.Token), 400, "machine_ids_invalid");
        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, "/api/admin/machines/delete", new JsonObject { ["ids"] = new JsonArray() }, admin.Token), 400, "machine_ids_invalid");
        var response = await host.Client.SendAsync(
            HttpMethod.Post, "/api/admin/machines/delete", new JsonObject { ["ids"] = new JsonArray(first.ToString(), second.ToString(), unknown.ToString()) }, admin.Token);

        ProblemAssert.Ok(response);
        Assert.Equal(new[] { first, second }.Order(), response.Json.GetProperty("deleted").EnumerateArray().Select(e => e.GetGuid()).Order());
        Assert.Equal([unknown], response.Json.GetProperty("missing").EnumerateArray().Select(e => e.GetGuid()));
        var list = await host.Client.GetAsync("/api/admin/machines", admin.Token);
        Assert.DoesNotContain(list.Json.EnumerateArray(), m => m.GetProperty("id").GetGuid() == first || m.GetProperty("id").GetGuid() == second);
    }

    [Fact]
    public async Task MachineActions_UnknownMachine_AreNotFound()
    {
        var admin = await host.AdminAsync();

        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/machines/{Guid.NewGuid()}/revoke", new JsonObject(), admin.Token), 404, "machine_not_found");
        ProblemAssert.Problem(await host.Client.DeleteAsync($"/api/admin/machines/{Guid.NewGuid()}", admin.Token), 404, "machine_not_found");
    }
}

/// <summary>Enrollment's per-address limit.</summary>
public sealed class EnrollRateLimitTests(EnrollRateLimitTests.LimitedHost host) : IClassFixture<EnrollRateLimitTests.LimitedHost>
{
    [Fact]
    public async Task Enroll_PastThePerAddressLimit_Is429AndAudited_EvenWithAValidToken()
    {
        var token = await host.MintEnrollTokenAsync();
        for (var i = 0; i < 3; i++)
        {
            ProblemAssert.Problem(await host.EnrollAsync("kwe_guess"), 401, "enroll_token_invalid");
        }

        await host.NewEventsAsync();
        var limited = await host.EnrollAsync(token);

        ProblemAssert.Problem(limited, 429, "rate_limited");
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Contains(await host.NewEventsAsync(), e => e.Action == Keyward.Core.Audit.AuditActions.RateLimited && e.Target == "agent.enroll.address");
    }

    /// <summary>A host that allows three enrollment attempts per address and minute.</summary>
    public sealed class LimitedHost : AgentHost
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Keyward:Agents:EnrollPerAddressPerMinute"] = "3",
        };
    }
}
