using System.Text;
using System.Text.Json.Nodes;
using Keyward.AspNetCore;
using Keyward.Client;
using Keyward.Core.Sessions;
using Keyward.Core.Vault;
using Keyward.Server.Assertions;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.Server.Tests.Vault;

/// <summary>
/// The vault with real tokens end to end (issue 12 items 6 and 7): an admin creates a service identity, a quorum of
/// real WebAuthn assertions grants it a scope, it mints <c>kw-cap+jwt</c> capabilities over HTTP and writes and reads a
/// <c>memory</c> secret through the real verifier. Then the refusals of layers (a) and (b) with real tokens, each
/// proved against a token that was accepted a moment before (or by a sibling accepted in the same test).
/// </summary>
public sealed class VaultEndToEndTests(VaultActorHost host) : IClassFixture<VaultActorHost>
{
    private static readonly string[] ReadWriteList = ["read", "write", "list"];
    private static readonly string[] Memory = ["memory"];
    private static readonly string[] Runs = ["runs/"];

    [Fact]
    public async Task ServiceIdentity_GrantedByQuorum_WritesThenReadsMemory_ThroughTheRealVerifier_AndIsAudited()
    {
        var (actor, key) = await host.CreateServiceAsync();
        var scope = await host.GrantAsync(actor, "service", ReadWriteList, Memory, Runs);
        var value = new byte[] { 0, 1, 2, 0xfa, 0xff, (byte)'+', (byte)'/' };

        var written = await host.PutAsync(await host.CapabilityAsync(key, "write", "memory", "runs/last"), "memory", actor, "runs/last", value);
        ProblemAssert.Ok(written);
        Assert.Equal(1, written.Json.GetProperty("version").GetInt32());
        await host.NewEventsAsync();

        var read = await host.GetAsync(await host.CapabilityAsync(key, "read", "memory", "runs/last"), "memory", actor, "runs/last");

        ProblemAssert.Ok(read);
        Assert.Equal("no-store", read.Headers.CacheControl?.ToString());
        Assert.Equal(value, Convert.FromBase64String(read.GetString("value_base64")));
        var events = await host.NewEventsAsync();
        var readEvent = Assert.Single(events, e => e.Action == VaultAuditActions.SecretRead);
        Assert.Equal(($"memory/{actor}/runs/last", $"service:{actor}"), (readEvent.Target, readEvent.Actor));
        Assert.Equal((host.AdminId.ToString(), scope.Id.ToString()), (readEvent.Details["operator"], readEvent.Details["scope"]));
    }

    [Fact]
    public async Task ServiceIdentity_ThroughKeywardClient_MintsPutsListsAndGets()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadWriteList, Memory, Runs);
        using var http = host.Host.CreateHttpClient();
        var client = new KeywardClient(http);

        var write = await client.MintCapabilityAsync(key, "write", "memory", "runs/client");
        Assert.Equal(1, await client.PutSecretAsync(write.Token, "memory", actor, "runs/client", Encoding.UTF8.GetBytes("state")));
        var list = await client.MintCapabilityAsync(key, "list", "memory", "runs");
        Assert.Equal("runs/client", Assert.Single(await client.ListSecretsAsync(list.Token, "memory", actor, "runs/")).Path);
        using var value = await client.GetSecretAsync((await client.MintCapabilityAsync(key, "read", "memory", "runs/client")).Token, "memory", actor, "runs/client");

        Assert.Equal("state", Encoding.UTF8.GetString(value.Value));
    }

    [Theory]
    [InlineData("read", "credential", "runs/last")] // a class the scope does not name
    [InlineData("delete", "memory", "runs/last")] // an operation it does not name
    [InlineData("read", "memory", "other/last")] // a path outside its prefixes
    [InlineData("read", "memory", "runsx/last")] // a sibling that merely starts with the prefix's text
    public async Task Mint_OutsideTheScope_IsRefusedCapScopeMissing_OverHttp(string operation, string dataClass, string path)
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadWriteList, Memory, Runs);
        ProblemAssert.Ok(await host.MintAsync(key, "read", "memory", "runs/last"));

        ProblemAssert.Problem(await host.MintAsync(key, operation, dataClass, path), 403, "cap_scope_missing");
    }

    [Fact]
    public async Task Vault_RealMemoryCapabilityOnTheCredentialEndpoint_IsRefusedDataClassMismatch()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadWriteList, Memory, Runs);
        var write = await host.CapabilityAsync(key, "write", "memory", "runs/x");
        var read = await host.CapabilityAsync(key, "read", "memory", "runs/x");

        VaultPlaneTests.AssertRefused(await host.PutAsync(write, "credential", actor, "runs/x", [1]), 403, "cap_data_class_mismatch");
        VaultPlaneTests.AssertRefused(await host.GetAsync(read, "credential", actor, "runs/x"), 403, "cap_data_class_mismatch");

        // The same tokens on their own class's endpoint pass (nothing was written under credential).
        ProblemAssert.Ok(await host.PutAsync(write, "memory", actor, "runs/x", [1]));
        ProblemAssert.Ok(await host.GetAsync(read, "memory", actor, "runs/x"));
    }

    [Fact]
    public async Task Vault_RealCapabilityOfAnotherActor_IsRefusedActorMismatch()
    {
        var (owner, ownerKey) = await host.CreateServiceAsync();
        var (other, otherKey) = await host.CreateServiceAsync();
        await host.GrantAsync(owner, "service", ReadWriteList, Memory, Runs);
        await host.GrantAsync(other, "service", ReadWriteList, Memory, Runs);
        ProblemAssert.Ok(await host.PutAsync(await host.CapabilityAsync(ownerKey, "write", "memory", "runs/mine"), "memory", owner, "runs/mine", Encoding.UTF8.GetBytes("owner-only")));

        // The other actor's own capability for the same class, operation and path, on the owner's route.
        var response = await host.GetAsync(await host.CapabilityAsync(otherKey, "read", "memory", "runs/mine"), "memory", owner, "runs/mine");

        VaultPlaneTests.AssertRefused(response, 403, "cap_actor_mismatch");
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("owner-only")), response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vault_RealWriteCapabilityUsedToRead_IsRefusedOperationMismatch()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadWriteList, Memory, Runs);
        var write = await host.CapabilityAsync(key, "write", "memory", "runs/op");
        ProblemAssert.Ok(await host.PutAsync(write, "memory", actor, "runs/op", [7]));

        VaultPlaneTests.AssertRefused(await host.GetAsync(write, "memory", actor, "runs/op"), 403, "cap_operation_mismatch");
    }

    [Fact]
    public async Task Vault_RealCapabilityForAnotherPath_IsRefusedPathMismatch()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadWriteList, Memory, Runs);
        ProblemAssert.Ok(await host.PutAsync(await host.CapabilityAsync(key, "write", "memory", "runs/b"), "memory", actor, "runs/b", [9]));

        // Both paths lie within the scope: the capability names one, the request another.
        VaultPlaneTests.AssertRefused(await host.GetAsync(await host.CapabilityAsync(key, "read", "memory", "runs/a"), "memory", actor, "runs/b"), 403, "cap_path_mismatch");
    }

    [Fact]
    public async Task Vault_ScopeRevoked_TheSameTokenIsNowCapScopeRevoked()
    {
        var (actor, key) = await host.CreateServiceAsync();
        var scope = await host.GrantAsync(actor, "service", ReadWriteList, Memory, Runs);
        ProblemAssert.Ok(await host.PutAsync(await host.CapabilityAsync(key, "write", "memory", "runs/r"), "memory", actor, "runs/r", [1]));
        var read = await host.CapabilityAsync(key, "read", "memory", "runs/r");
        ProblemAssert.Ok(await host.GetAsync(read, "memory", actor, "runs/r"));

        ProblemAssert.Ok(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/scopes/{scope.Id}/revoke", new JsonObject(), (await host.AdminAsync()).Token), 204);

        VaultPlaneTests.AssertRefused(await host.GetAsync(read, "memory", actor, "runs/r"), 403, "cap_scope_revoked");
        Assert.Contains(await host.NewEventsAsync(), e => e.Action == VaultAuditActions.Refused && e.Details.GetValueOrDefault("code") == "cap_scope_revoked");
    }

    [Fact]
    public async Task Vault_ActorRevoked_ItsTokenIsRefused_AndItsKeyMintsNoMore()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadWriteList, Memory, Runs);
        var write = await host.CapabilityAsync(key, "write", "memory", "runs/a");
        ProblemAssert.Ok(await host.PutAsync(write, "memory", actor, "runs/a", [1]));

        ProblemAssert.Ok(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/actors/{actor}/revoke", new JsonObject(), (await host.AdminAsync()).Token), 204);

        VaultPlaneTests.AssertRefused(await host.PutAsync(write, "memory", actor, "runs/a", [2]), 403, "cap_scope_revoked");
        ProblemAssert.Problem(await host.MintAsync(key, "write", "memory", "runs/a"), 401, "service_key_revoked");
    }

    [Fact]
    public async Task Vault_RealCapabilityPastItsLifetime_IsRefusedCapExpired()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadWriteList, Memory, Runs);
        var write = await host.CapabilityAsync(key, "write", "memory", "runs/e");

        host.Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        ProblemAssert.Ok(await host.PutAsync(write, "memory", actor, "runs/e", [1]));
        host.Time.Advance(TimeSpan.FromSeconds(1));

        VaultPlaneTests.AssertRefused(await host.PutAsync(write, "memory", actor, "runs/e", [2]), 401, "cap_expired");
    }

    [Fact]
    public async Task Vault_IdentityAssertionAsBearer_IsRefusedCapInvalid()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadWriteList, Memory, Runs);
        ProblemAssert.Ok(await host.PutAsync(await host.CapabilityAsync(key, "write", "memory", "runs/id"), "memory", actor, "runs/id", [1]));

        var response = await host.GetAsync(await AssertionAsync(), "memory", actor, "runs/id");

        VaultPlaneTests.AssertRefused(response, 401, "cap_invalid");
    }

    [Fact]
    public async Task AssertionVerifier_RefusesARealCapability_AndAcceptsARealAssertion()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadWriteList, Memory, Runs);
        var capability = await host.CapabilityAsync(key, "read", "memory", "runs/x");

        // A service behind Keyward, verifying identity assertions with Keyward.AspNetCore against this Keyward's JWKS.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(KeywardAssertionDefaults.AuthenticationScheme).AddKeywardAssertion(o =>
        {
            o.Authority = host.Host.Origin;
            o.Audience = "echo";
            o.BackchannelHttpHandler = host.Host.CreateHandler();
            o.TimeProvider = host.Time;
        });
        builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(
            new AuthorizationPolicyBuilder(KeywardAssertionDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());
        await using var service = builder.Build();
        service.UseAuthentication();
        service.UseAuthorization();
        service.MapGet("/", () => "ok");
        await service.StartAsync();
        using var client = service.GetTestClient();

        using var accepted = await SendAsync(client, await AssertionAsync());
        using var refused = await SendAsync(client, capability);

        Assert.Equal(200, (int)accepted.StatusCode);
        Assert.Equal(401, (int)refused.StatusCode);
        Assert.Contains("\"assertion_wrong_type\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await service.StopAsync();
    }

    [Fact]
    public async Task Agent_GrantedByQuorum_WritesThenReadsMemoryWithItsAgentKey_AndAServiceTokenIsNotItsOwn()
    {
        var (machine, agentKey) = await host.EnrollMachineAsync();
        await host.GrantAsync(machine, "agent", ReadWriteList, Memory, Runs);

        ProblemAssert.Ok(await host.PutAsync(await host.CapabilityAsync(agentKey, "write", "memory", "runs/agent"), "memory", machine, "runs/agent", Encoding.UTF8.GetBytes("agent-state")));
        var read = await host.GetAsync(await host.CapabilityAsync(agentKey, "read", "memory", "runs/agent"), "memory", machine, "runs/agent");

        ProblemAssert.Ok(read);
        Assert.Equal("agent-state", Encoding.UTF8.GetString(Convert.FromBase64String(read.GetString("value_base64"))));
        Assert.Contains(await host.NewEventsAsync(), e => e.Action == VaultAuditActions.SecretRead && e.Actor == $"machine:{machine}");

        // A service identity's real capability for the same path is not the machine's.
        var (service, serviceKey) = await host.CreateServiceAsync();
        await host.GrantAsync(service, "service", ReadWriteList, Memory, Runs);
        VaultPlaneTests.AssertRefused(await host.GetAsync(await host.CapabilityAsync(serviceKey, "read", "memory", "runs/agent"), "memory", machine, "runs/agent"), 403, "cap_actor_mismatch");
    }

    private async Task<string> AssertionAsync()
    {
        var admin = await host.AdminAsync();
        var session = (await host.Host.GetRequiredService<SessionService>().CheckAsync(admin.Token)).Session!;
        return host.Host.GetRequiredService<AssertionIssuer>().Issue(session, "echo");
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string assertion)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
        request.Headers.TryAddWithoutValidation(KeywardAssertionDefaults.HeaderName, assertion);
        return await client.SendAsync(request);
    }
}
