using System.Text.Json.Nodes;
using Keyward.Core.Capabilities;
using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests.Capabilities;

/// <summary>
/// Service identities (docs/capabilities.md, "Actors"): an admin with a step-up creates one and gets its key once (only
/// the hash is stored), lists them, revokes one (refused at once after); the actor plane takes that key and nothing else.
/// </summary>
public sealed class ServiceIdentityTests(CapabilityHost host) : IClassFixture<CapabilityHost>
{
    [Fact]
    public async Task Create_AnswersTheKeyOnce_StoresOnlyItsHash_AndAuditsWithoutIt()
    {
        var admin = await host.AdminAsync();
        await host.NewEventsAsync();

        var response = await host.Client.SendAsync(HttpMethod.Post, "/api/admin/actors", new JsonObject { ["label"] = "billing bot" }, admin.Token);

        ProblemAssert.Ok(response);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var key = response.GetString("service_key");
        Assert.True(SecretToken.IsWellFormed(CredentialKind.Service, key));
        var id = Guid.Parse(response.GetString("id"));
        await using (var db = host.Host.GetRequiredService<KeywardDatabase>().CreateContext())
        {
            var row = await db.ServiceIdentities.SingleAsync(s => s.Id == id);
            Assert.Equal(SecretToken.Hash(CredentialKind.Service, key), row.KeyHash);
            Assert.Equal("billing bot", row.Label);
        }

        var listed = await host.Client.GetAsync("/api/admin/actors", admin.Token);
        ProblemAssert.Ok(listed);
        Assert.Contains(id.ToString(), listed.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(key[4..20], listed.Body, StringComparison.Ordinal);
        var events = await host.NewEventsAsync();
        var created = Assert.Single(events, e => e.Action == CapabilityAuditActions.ActorCreated);
        Assert.Equal(id.ToString(), created.Target);
        Assert.All(events, e => Assert.DoesNotContain(key[4..20], System.Text.Json.JsonSerializer.Serialize(e), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_WithoutAdminStepUp_IsRefused()
    {
        var admin = await host.Client.LoginAsync("admin");

        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, "/api/admin/actors", new JsonObject { ["label"] = "x" }, admin.Token), 401, "step_up_required");
    }

    [Theory]
    [InlineData("")]
    [InlineData("bidi\u202e")]
    public async Task Create_BadLabel_IsRefused(string label)
    {
        var admin = await host.AdminAsync();

        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, "/api/admin/actors", new JsonObject { ["label"] = label }, admin.Token), 400, "actor_request_invalid");
    }

    [Fact]
    public async Task Identity_LiveKey_AnswersWhoItIs()
    {
        var (id, key) = await host.CreateServiceAsync("who");

        var response = await host.Client.GetAsync("/actor/v1/identity", configure: Bearer(key));

        ProblemAssert.Ok(response);
        Assert.Equal((id.ToString(), "service", "who"), (response.GetString("actor_id"), response.GetString("actor_kind"), response.GetString("label")));
    }

    [Fact]
    public async Task Revoke_KeyIsRefusedAtOnce_AndTheRevocationIsAudited()
    {
        var (id, key) = await host.CreateServiceAsync();
        ProblemAssert.Ok(await host.Client.GetAsync("/actor/v1/identity", configure: Bearer(key)));
        var admin = await host.AdminAsync();
        await host.NewEventsAsync();

        ProblemAssert.Ok(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/actors/{id}/revoke", new JsonObject(), admin.Token), 204);

        ProblemAssert.Problem(await host.Client.GetAsync("/actor/v1/identity", configure: Bearer(key)), 401, "service_key_revoked");
        ProblemAssert.Problem(await host.MintAsync(key, "read", "credential", "db/x"), 401, "service_key_revoked");
        var events = await host.NewEventsAsync();
        Assert.Single(events, e => e.Action == CapabilityAuditActions.ActorRevoked && e.Target == id.ToString());
        Assert.Contains(events, e => e.Action == CapabilityAuditActions.ActorKeyRefused && e.Details["code"] == "service_key_revoked");
        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/actors/{Guid.NewGuid()}/revoke", new JsonObject(), admin.Token), 404, "actor_not_found");
    }

    [Fact]
    public async Task ActorPlane_OtherKindsOfCredential_AreRefusedServiceKeyInvalid()
    {
        var admin = await host.AdminAsync();
        var (_, agentKey) = await host.EnrollMachineAsync();

        foreach (var other in new[] { admin.Token, agentKey, SecretToken.Generate(CredentialKind.Service), "kwv_garbage" })
        {
            ProblemAssert.Problem(await host.Client.GetAsync("/actor/v1/identity", configure: Bearer(other)), 401, "service_key_invalid");
        }

        // The session cookie is not a credential here either.
        ProblemAssert.Problem(await host.Client.GetAsync("/actor/v1/identity", configure: r => r.Headers.Add("Cookie", $"__Host-keyward-session={admin.Token}")), 401, "service_key_invalid");
    }

    [Fact]
    public async Task ServiceKey_OnTheApiAndAgentPlanes_IsRefused()
    {
        var (_, key) = await host.CreateServiceAsync();

        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, "/session/status", configure: Bearer(key)), 401, "session_invalid");
        ProblemAssert.Problem(await host.MintAsAgentAsync(key, "read", "credential", "db/x"), 401, "agent_key_invalid");
    }

    private static Action<HttpRequestMessage> Bearer(string credential) =>
        r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + credential);
}
