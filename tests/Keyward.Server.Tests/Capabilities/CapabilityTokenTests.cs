using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Core.Capabilities;
using Keyward.Core.Sessions;
using Keyward.Server.Assertions;
using Keyward.Server.Tests.Infrastructure;
using Base64Url = System.Buffers.Text.Base64Url;

namespace Keyward.Server.Tests.Capabilities;

/// <summary>
/// Capability tokens end to end (docs/capabilities.md): minting is refused unless a live scope allows exactly the
/// operation, class and path (layer a); the real verifier checks signature, <c>typ</c>, expiry on the fake clock and that
/// the scope still stands; a capability and an identity assertion never pass for each other, both directions.
/// </summary>
public sealed class CapabilityTokenTests(CapabilityHost host) : IClassFixture<CapabilityHost>
{
    private static readonly string[] ReadList = ["read", "list"];
    private static readonly string[] Credential = ["credential"];
    private static readonly string[] DbProd = ["db/prod/"];

    [Fact]
    public async Task Mint_AllowedByAScope_AnswersAnES256CapabilityTheVerifierAccepts_AndAuditsWithoutTheToken()
    {
        var (actor, key) = await host.CreateServiceAsync();
        var scope = await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);
        await host.NewEventsAsync();

        var response = await host.MintAsync(key, "read", "credential", "db/prod/main");

        ProblemAssert.Ok(response);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var token = response.GetString("capability");
        Assert.Equal(scope.Id.ToString(), response.GetString("scope_id"));
        var header = Part(token, 0);
        Assert.Equal(("ES256", "kw-cap+jwt"), (header.GetProperty("alg").GetString(), header.GetProperty("typ").GetString()));
        var check = await host.VerifyAsync(token);
        Assert.Null(check.ErrorCode);
        var capability = check.Capability!;
        Assert.Equal(
            (host.AdminId, actor, CapabilityActorKind.Service, "read", "credential", "db/prod/main", scope.Id),
            (capability.OperatorId, capability.ActorId, capability.ActorKind, capability.Operation, capability.DataClass, capability.Path, capability.ScopeId));
        Assert.Equal(host.Time.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds(), capability.ExpiresAt.ToUnixTimeSeconds());
        var events = await host.NewEventsAsync();
        var minted = Assert.Single(events, e => e.Action == CapabilityAuditActions.CapabilityMinted);
        Assert.Equal(("read", "credential", "db/prod/main", capability.TokenId.ToString()), (minted.Details["operation"], minted.Details["data_class"], minted.Details["path"], minted.Details["jti"]));
        Assert.All(events, e => Assert.DoesNotContain(token.Split('.')[2][..16], JsonSerializer.Serialize(e), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mint_ActorWithoutAnyScope_IsRefusedCapScopeMissing_AndAudited()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.NewEventsAsync();

        ProblemAssert.Problem(await host.MintAsync(key, "read", "credential", "db/prod/main"), 403, "cap_scope_missing");

        var refused = Assert.Single(await host.NewEventsAsync(), e => e.Action == CapabilityAuditActions.CapabilityRefused);
        Assert.Equal(("cap_scope_missing", actor.ToString(), "read"), (refused.Details["code"], refused.Target, refused.Details["operation"]));
    }

    [Theory]
    [InlineData("read", "memory", "db/prod/main")] // another class
    [InlineData("write", "credential", "db/prod/main")] // another operation
    [InlineData("delete", "credential", "db/prod/main")]
    [InlineData("read", "credential", "db/production")] // a sibling that merely starts with the prefix's text
    [InlineData("read", "credential", "db")] // above the prefix
    [InlineData("list", "credential", "db")]
    [InlineData("read", "credential", "other/prod/main")]
    public async Task Mint_OutsideWhatTheScopeAllows_IsRefusedCapScopeMissing(string operation, string dataClass, string path)
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);
        ProblemAssert.Ok(await host.MintAsync(key, "list", "credential", "db/prod"));

        ProblemAssert.Problem(await host.MintAsync(key, operation, dataClass, path), 403, "cap_scope_missing");
    }

    [Fact]
    public async Task Mint_AnotherActorsScope_IsNotThisActors()
    {
        var (granted, _) = await host.CreateServiceAsync();
        await host.GrantAsync(granted, "service", ReadList, Credential, DbProd);
        var (_, other) = await host.CreateServiceAsync();

        ProblemAssert.Problem(await host.MintAsync(other, "read", "credential", "db/prod/main"), 403, "cap_scope_missing");
    }

    [Theory]
    [InlineData("admin", "credential", "db/x")]
    [InlineData("read", "secrets", "db/x")]
    [InlineData("read", "credential", "../etc/passwd")]
    [InlineData("read", "credential", "db//x")]
    [InlineData("read", "credential", "/db/x")]
    public async Task Mint_UndefinedOperationClassOrMalformedPath_IsRefusedCapRequestInvalid(string operation, string dataClass, string path)
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadList, Credential, ["db/"]);

        ProblemAssert.Problem(await host.MintAsync(key, operation, dataClass, path), 400, "cap_request_invalid");
    }

    [Fact]
    public async Task Mint_NamingAnOperatorWhoGrantedNothing_IsRefused()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);

        ProblemAssert.Ok(await host.MintAsync(key, "read", "credential", "db/prod/x", operatorName: "admin"));
        ProblemAssert.Problem(await host.MintAsync(key, "read", "credential", "db/prod/x", operatorName: "nobody"), 403, "cap_scope_missing");
        ProblemAssert.Problem(await host.MintAsync(key, "read", "credential", "db/prod/x", operatorName: Guid.NewGuid().ToString()), 403, "cap_scope_missing");
    }

    [Fact]
    public async Task RevokeScope_EveryMintedCapabilityIsRefusedAtOnce_AndNoNewOneIsMinted()
    {
        var (actor, key) = await host.CreateServiceAsync();
        var scope = await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);
        var token = (await host.MintAsync(key, "read", "credential", "db/prod/main")).GetString("capability");
        Assert.Null((await host.VerifyAsync(token)).ErrorCode);
        var admin = await host.AdminAsync();
        await host.NewEventsAsync();

        ProblemAssert.Ok(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/scopes/{scope.Id}/revoke", new JsonObject(), admin.Token), 204);

        Assert.Equal("cap_scope_revoked", (await host.VerifyAsync(token)).ErrorCode);
        ProblemAssert.Problem(await host.MintAsync(key, "read", "credential", "db/prod/main"), 403, "cap_scope_missing");
        Assert.Single(await host.NewEventsAsync(), e => e.Action == CapabilityAuditActions.ScopeRevoked && e.Target == scope.Id.ToString());
    }

    [Fact]
    public async Task RevokeScope_ANewGrantDoesNotReviveTheOldCapabilities()
    {
        var (actor, key) = await host.CreateServiceAsync();
        var scope = await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);
        var old = (await host.MintAsync(key, "read", "credential", "db/prod/main")).GetString("capability");
        ProblemAssert.Ok(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/scopes/{scope.Id}/revoke", new JsonObject(), (await host.AdminAsync()).Token), 204);

        await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);

        // The (operator, actor) scope nonce moved on at the revocation: the old token names the old scope and nonce.
        Assert.Equal("cap_scope_revoked", (await host.VerifyAsync(old)).ErrorCode);
        Assert.Null((await host.VerifyAsync((await host.MintAsync(key, "read", "credential", "db/prod/main")).GetString("capability"))).ErrorCode);
    }

    [Fact]
    public async Task RevokeActor_ItsMintedCapabilitiesAreRefused()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);
        var token = (await host.MintAsync(key, "read", "credential", "db/prod/main")).GetString("capability");

        ProblemAssert.Ok(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/actors/{actor}/revoke", new JsonObject(), (await host.AdminAsync()).Token), 204);

        Assert.Equal("cap_scope_revoked", (await host.VerifyAsync(token)).ErrorCode);
        ProblemAssert.Problem(await host.MintAsync(key, "read", "credential", "db/prod/main"), 401, "service_key_revoked");
    }

    [Fact]
    public async Task Verify_PastItsLifetime_IsRefusedCapExpired()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);
        var token = (await host.MintAsync(key, "read", "credential", "db/prod/main")).GetString("capability");

        host.Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Null((await host.VerifyAsync(token)).ErrorCode);
        host.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("cap_expired", (await host.VerifyAsync(token)).ErrorCode);
    }

    [Fact]
    public async Task Verify_TamperedOrForged_IsRefusedCapInvalid()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);
        var token = (await host.MintAsync(key, "read", "credential", "db/prod/main")).GetString("capability");
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
        payload["path"] = "db/prod/other";
        var retyped = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!;
        retyped["typ"] = "JWT";

        foreach (var forged in new[]
        {
            $"{parts[0]}.{Encode(payload)}.{parts[2]}",
            $"{Encode(retyped)}.{parts[1]}.{parts[2]}",
            $"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(new byte[64])}",
            $"{Encode(JsonNode.Parse("{\"alg\":\"none\",\"typ\":\"kw-cap+jwt\"}")!)}.{parts[1]}.",
            "not-a-token",
            string.Empty,
        })
        {
            Assert.Equal("cap_invalid", (await host.VerifyAsync(forged)).ErrorCode);
        }
    }

    [Fact]
    public async Task Verify_AlgorithmConfusionKidSwapsAndOversize_AreRefusedCapInvalid()
    {
        // Review of issue 12: the forgeries a stranger holding only public material can make.
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);
        var token = (await host.MintAsync(key, "read", "credential", "db/prod/main")).GetString("capability");
        var parts = token.Split('.');
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!;
        var capabilityJwks = (await host.Client.GetAsync("/.well-known/keyward/capability-jwks.json")).Body;
        var assertionKid = JsonDocument.Parse((await host.Client.GetAsync("/.well-known/keyward/jwks.json")).Body).RootElement
            .GetProperty("keys")[0].GetProperty("kid").GetString();

        // HS256 keyed with the published key (the JWKS text, or the point's x coordinate).
        var hs256 = JsonNode.Parse($"{{\"alg\":\"HS256\",\"typ\":\"kw-cap+jwt\",\"kid\":\"{header["kid"]}\"}}")!;
        var x = Base64Url.DecodeFromChars(JsonDocument.Parse(capabilityJwks).RootElement.GetProperty("keys")[0].GetProperty("x").GetString());
        string Hmac(byte[] secret) => Base64Url.EncodeToString(System.Security.Cryptography.HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes($"{Encode(hs256)}.{parts[1]}")));

        // The real signature under a header naming the assertion key, another alg, or no kid; an oversize token.
        var kidSwap = header.DeepClone();
        kidSwap["kid"] = assertionKid;
        var es384 = header.DeepClone();
        es384["alg"] = "ES384";
        var noKid = header.DeepClone();
        noKid.AsObject().Remove("kid");
        var padded = header.DeepClone();
        padded["x"] = new string('a', 5000);

        foreach (var forged in new[]
        {
            $"{Encode(hs256)}.{parts[1]}.{Hmac(Encoding.UTF8.GetBytes(capabilityJwks))}",
            $"{Encode(hs256)}.{parts[1]}.{Hmac(x)}",
            $"{Encode(kidSwap)}.{parts[1]}.{parts[2]}",
            $"{Encode(es384)}.{parts[1]}.{parts[2]}",
            $"{Encode(noKid)}.{parts[1]}.{parts[2]}",
            $"{Encode(padded)}.{parts[1]}.{parts[2]}",
            $"{token}.{parts[2]}",
            $" {token}",
        })
        {
            Assert.Equal("cap_invalid", (await host.VerifyAsync(forged)).ErrorCode);
        }

        // The genuine token still verifies: the refusals above are the forgeries', not the fixture's.
        Assert.Null((await host.VerifyAsync(token)).ErrorCode);
    }

    [Fact]
    public async Task Mint_FloodFromOneActor_IsLimitedPerActor_429RateLimited_AuditedOnceThenCounted()
    {
        // Review finding: nothing bounded how fast one actor mints (each mint a scope lookup and an audit event).
        var (flooder, floodKey) = await host.CreateServiceAsync();
        var (other, otherKey) = await host.CreateServiceAsync();
        await host.GrantAsync(flooder, "service", ReadList, Credential, DbProd);
        await host.GrantAsync(other, "service", ReadList, Credential, DbProd);
        await host.NewEventsAsync();

        for (var i = 0; i < CapabilityHost.MintsPerMinute; i++)
        {
            ProblemAssert.Ok(await host.MintAsync(floodKey, "read", "credential", "db/prod/main"));
        }

        var limited = await host.MintAsync(floodKey, "read", "credential", "db/prod/main");
        ProblemAssert.Problem(limited, 429, "rate_limited");
        Assert.True(limited.Headers.RetryAfter is not null, "a 429 says when to come back");
        ProblemAssert.Problem(await host.MintAsync(floodKey, "read", "credential", "db/prod/main"), 429, "rate_limited");

        // Another actor is not held back by the flood; the flooder mints again in the next minute.
        ProblemAssert.Ok(await host.MintAsync(otherKey, "read", "credential", "db/prod/main"));
        var events = await host.NewEventsAsync();
        Assert.Single(events, e => e.Action == Keyward.Core.Audit.AuditActions.RateLimited && e.Target == "capabilities.mint" && e.Actor == $"service:{flooder}");
        host.Time.Advance(TimeSpan.FromMinutes(1));
        ProblemAssert.Ok(await host.MintAsync(floodKey, "read", "credential", "db/prod/main"));
    }

    [Fact]
    public async Task IdentityAssertion_NeverPassesAsACapability()
    {
        var admin = await host.AdminAsync();
        var session = (await host.Host.GetRequiredService<SessionService>().CheckAsync(admin.Token)).Session!;
        var assertion = host.Host.GetRequiredService<AssertionIssuer>().Issue(session, "echo");

        Assert.Equal("cap_invalid", (await host.VerifyAsync(assertion)).ErrorCode);
    }

    [Fact]
    public async Task Capability_NeverPassesAsAnIdentityAssertion()
    {
        var (actor, key) = await host.CreateServiceAsync();
        await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);
        var token = (await host.MintAsync(key, "read", "credential", "db/prod/main")).GetString("capability");
        var capability = IdentityAssertion.Parse(token);
        var assertionKeys = JsonDocument.Parse((await host.Client.GetAsync("/.well-known/keyward/jwks.json")).Body).RootElement;
        var capabilityKeys = JsonDocument.Parse((await host.Client.GetAsync("/.well-known/keyward/capability-jwks.json")).Body).RootElement;

        // Its own typ, a kid the assertion JWKS does not publish, a signature no assertion key verifies.
        Assert.NotEqual(AssertionIssuer.Type, capability.Header.GetProperty("typ").GetString());
        Assert.DoesNotContain(assertionKeys.GetProperty("keys").EnumerateArray(), k => k.GetProperty("kid").GetString() == capability.Kid);
        Assert.False(capability.VerifiesWith(assertionKeys));
        Assert.True(capability.VerifiesWith(capabilityKeys));

        // And as a credential anywhere: the API plane and the actor plane refuse it.
        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, "/session/status", configure: Bearer(token)), 401, "session_invalid");
        ProblemAssert.Problem(await host.Client.GetAsync("/actor/v1/identity", configure: Bearer(token)), 401, "service_key_invalid");
    }

    [Fact]
    public async Task AgentMint_WithItsAgentKey_IsBoundToTheMachine_AndARevokedAgentKeyIs401()
    {
        var (machine, agentKey) = await host.EnrollMachineAsync();
        await host.GrantAsync(machine, "agent", ReadList, Credential, DbProd);

        var response = await host.MintAsAgentAsync(agentKey, "read", "credential", "db/prod/main");

        ProblemAssert.Ok(response);
        var capability = (await host.VerifyAsync(response.GetString("capability"))).Capability!;
        Assert.Equal((machine, CapabilityActorKind.Agent), (capability.ActorId, capability.ActorKind));

        // An agent key is not a service key, and a grant to the machine as a "service" is not one to the agent.
        ProblemAssert.Problem(await host.MintAsync(agentKey, "read", "credential", "db/prod/main"), 401, "service_key_invalid");
        ProblemAssert.Ok(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/machines/{machine}/revoke", new JsonObject(), (await host.AdminAsync()).Token), 204);
        ProblemAssert.Problem(await host.MintAsAgentAsync(agentKey, "read", "credential", "db/prod/main"), 401, "agent_key_revoked");
        Assert.Equal("cap_scope_revoked", (await host.VerifyAsync(response.GetString("capability"))).ErrorCode);
    }

    [Fact]
    public async Task ProposeGrant_UnknownOrRevokedActor_IsRefused_AndBadContents400()
    {
        ProblemAssert.Problem(await host.ProposeGrantAsync(Guid.NewGuid(), "service", ReadList, Credential, DbProd), 409, "scope_proposal_refused");
        var (machine, _) = await host.EnrollMachineAsync();
        ProblemAssert.Problem(await host.ProposeGrantAsync(machine, "service", ReadList, Credential, DbProd), 409, "scope_proposal_refused");
        var (actor, _) = await host.CreateServiceAsync();

        ProblemAssert.Problem(await host.ProposeGrantAsync(actor, "service", ["read", "sudo"], Credential, DbProd), 400, "scope_request_invalid");
        ProblemAssert.Problem(await host.ProposeGrantAsync(actor, "service", ReadList, ["passwords"], DbProd), 400, "scope_request_invalid");
        ProblemAssert.Problem(await host.ProposeGrantAsync(actor, "service", ReadList, Credential, ["../x"]), 400, "scope_request_invalid");
        ProblemAssert.Problem(await host.ProposeGrantAsync(actor, "service", ReadList, Credential, [""]), 400, "scope_request_invalid");
        ProblemAssert.Problem(await host.ProposeGrantAsync(actor, "person", ReadList, Credential, DbProd), 400, "scope_request_invalid");
    }

    [Fact]
    public async Task ProposeGrant_WritesNoScopeUntilTheQuorumApproves()
    {
        var (actor, key) = await host.CreateServiceAsync();

        var proposed = await host.ProposeGrantAsync(actor, "service", ReadList, Credential, DbProd);

        ProblemAssert.Ok(proposed, 202);
        Assert.Equal(("grant_scope", "pending"), (proposed.GetString("operation"), proposed.GetString("state")));
        Assert.Empty(await host.Host.GetRequiredService<ScopeService>().ListAsync(Keyward.Core.Storage.Tenants.Default, actor));
        ProblemAssert.Problem(await host.MintAsync(key, "read", "credential", "db/prod/main"), 403, "cap_scope_missing");
        await host.ApproveAsync(Guid.Parse(proposed.GetString("request_id")));
        ProblemAssert.Ok(await host.MintAsync(key, "read", "credential", "db/prod/main"));
    }

    [Fact]
    public async Task Grant_ActorRevokedBetweenProposalAndQuorum_IsNotApplied()
    {
        var (actor, _) = await host.CreateServiceAsync();
        var proposed = await host.ProposeGrantAsync(actor, "service", ReadList, Credential, DbProd);
        ProblemAssert.Ok(proposed, 202);
        ProblemAssert.Ok(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/actors/{actor}/revoke", new JsonObject(), (await host.AdminAsync()).Token), 204);

        var vote = await host.VoteAsync(Guid.Parse(proposed.GetString("request_id")));

        // The applier checks again inside the completing transaction: a revoked actor gets no scope.
        Assert.False(vote.Succeeded && vote.Value.Applied);
        Assert.Empty(await host.Host.GetRequiredService<ScopeService>().ListAsync(Keyward.Core.Storage.Tenants.Default, actor));
    }

    [Fact]
    public async Task Widen_Approved_AllowsTheNewOperation_AndNarrowingIsNotAWidening()
    {
        var (actor, key) = await host.CreateServiceAsync();
        var scope = await host.GrantAsync(actor, "service", ReadList, Credential, DbProd);
        var admin = await host.AdminAsync();
        ProblemAssert.Problem(await host.MintAsync(key, "write", "credential", "db/prod/main"), 403, "cap_scope_missing");

        var narrower = await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/scopes/{scope.Id}/widen", Body(["read"], Credential, DbProd), admin.Token);
        ProblemAssert.Problem(narrower, 409, "scope_proposal_refused");
        var wider = await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/scopes/{scope.Id}/widen", Body(["read", "list", "write"], Credential, DbProd), admin.Token);
        ProblemAssert.Ok(wider, 202);
        await host.ApproveAsync(Guid.Parse(wider.GetString("request_id")));

        ProblemAssert.Ok(await host.MintAsync(key, "write", "credential", "db/prod/main"));
    }

    [Fact]
    public async Task CapabilityJwks_PublishesTheSigningKey_AndNotTheAssertionKeys()
    {
        var capability = JsonDocument.Parse((await host.Client.GetAsync("/.well-known/keyward/capability-jwks.json")).Body).RootElement;
        var assertion = JsonDocument.Parse((await host.Client.GetAsync("/.well-known/keyward/jwks.json")).Body).RootElement;

        var kids = capability.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.NotEmpty(kids);
        Assert.DoesNotContain(assertion.GetProperty("keys").EnumerateArray(), k => kids.Contains(k.GetProperty("kid").GetString()));
    }

    private static JsonObject Body(string[] operations, string[] classes, string[] prefixes) => new()
    {
        ["operations"] = new JsonArray([.. operations.Select(o => JsonValue.Create(o))]),
        ["data_classes"] = new JsonArray([.. classes.Select(c => JsonValue.Create(c))]),
        ["prefixes"] = new JsonArray([.. prefixes.Select(p => JsonValue.Create(p))]),
    };

    private static JsonElement Part(string token, int index) => JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[index])).RootElement;

    private static string Encode(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

    private static Action<HttpRequestMessage> Bearer(string credential) =>
        r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + credential);
}
