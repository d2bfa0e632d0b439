using System.Text.Json.Nodes;
using Keyward.Core.Capabilities;
using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Keyward.Server.Tests.Agents;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests.Capabilities;

/// <summary>
/// The agent plane's host (Kestrel, TLS, SQLite, fake clock) with a 1-of-1 approval policy over granting and widening
/// scopes, whose approver is the admin: scopes are proposed through the admin API and approved through the Core
/// <see cref="ApprovalService"/> with the admin's virtual key (the approvals slice owns the vote endpoints).
/// </summary>
public class CapabilityHost : AgentHost, IAsyncLifetime
{
    private int _services;

    /// <summary>The per-actor mint limit in this fixture (low, so the limit's test stays quick).</summary>
    internal const int MintsPerMinute = 30;

    internal Guid AdminId { get; private set; }

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Keyward:Capabilities:MintsPerActorPerMinute"] = MintsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using (var db = Host.GetRequiredService<KeywardDatabase>().CreateContext())
        {
            AdminId = await db.Accounts.Where(a => a.Name == "admin").Select(a => a.Id).SingleAsync();
        }

        var created = await new ApprovalPolicyService(Host.GetRequiredService<KeywardDatabase>(), Time).CreateAsync(new ApprovalPolicyDraft
        {
            Name = "scopes",
            Kinds = [OperationKind.GrantScope, OperationKind.WidenScope],
            Groups = [new("owners", 1, [AdminId])],
        });
        Assert.True(created.Succeeded, created.Failure?.ToString());
    }

    /// <summary>A new service identity through the admin API: its id and key.</summary>
    internal async Task<(Guid Id, string Key)> CreateServiceAsync(string? label = null)
    {
        var admin = await AdminAsync();
        var response = await Client.SendAsync(HttpMethod.Post, "/api/admin/actors", new JsonObject { ["label"] = label ?? $"service {Interlocked.Increment(ref _services)}" }, admin.Token);
        ProblemAssert.Ok(response);
        return (Guid.Parse(response.GetString("id")), response.GetString("service_key"));
    }

    /// <summary>Proposes a grant through the admin API (answers the proposal).</summary>
    internal async Task<KeywardResponse> ProposeGrantAsync(Guid actorId, string kind, string[] operations, string[] classes, string[] prefixes)
    {
        var admin = await AdminAsync();
        return await Client.SendAsync(HttpMethod.Post, "/api/admin/scopes", new JsonObject
        {
            ["actor_id"] = actorId.ToString(),
            ["actor_kind"] = kind,
            ["operations"] = new JsonArray([.. operations.Select(o => JsonValue.Create(o))]),
            ["data_classes"] = new JsonArray([.. classes.Select(c => JsonValue.Create(c))]),
            ["prefixes"] = new JsonArray([.. prefixes.Select(p => JsonValue.Create(p))]),
        }, admin.Token);
    }

    /// <summary>Grants a scope: proposed through the API, approved by the admin's key. Answers the scope.</summary>
    internal async Task<CapabilityScope> GrantAsync(Guid actorId, string kind, string[] operations, string[] classes, string[] prefixes)
    {
        var proposed = await ProposeGrantAsync(actorId, kind, operations, classes, prefixes);
        ProblemAssert.Ok(proposed, 202);
        await ApproveAsync(Guid.Parse(proposed.GetString("request_id")));
        var scopes = await Host.GetRequiredService<ScopeService>().ListAsync(Tenants.Default, actorId);
        return scopes.Where(s => s.RevokedAt is null).OrderBy(s => s.GrantedAt).Last();
    }

    /// <summary>The admin's approval of a request (a WebAuthn assertion over its challenge), which completes the 1-of-1 quorum.</summary>
    internal Task ApproveAsync(Guid requestId) => QuorumVotes.ApproveAsync(Host, Client, AdminId, requestId);

    /// <summary>The admin's vote on a request, as the quorum answers it.</summary>
    internal Task<QuorumResult<VoteOutcome>> VoteAsync(Guid requestId) => QuorumVotes.VoteAsync(Host, Client, AdminId, requestId);

    /// <summary>POST /actor/v1/capabilities with <paramref name="key"/> as Bearer.</summary>
    internal Task<KeywardResponse> MintAsync(string key, string operation, string dataClass, string path, string? operatorName = null) =>
        Client.SendAsync(HttpMethod.Post, "/actor/v1/capabilities", MintBody(operation, dataClass, path, operatorName), configure: Bearer(key));

    /// <summary>POST /agent/v1/capabilities with <paramref name="key"/> as Bearer.</summary>
    internal Task<KeywardResponse> MintAsAgentAsync(string key, string operation, string dataClass, string path) =>
        Client.SendAsync(HttpMethod.Post, "/agent/v1/capabilities", MintBody(operation, dataClass, path, null), configure: Bearer(key));

    /// <summary>The real verifier's answer for <paramref name="token"/>.</summary>
    internal ValueTask<CapabilityCheck> VerifyAsync(string token) => Host.GetRequiredService<ICapabilityVerifier>().VerifyAsync(token);

    private static JsonObject MintBody(string operation, string dataClass, string path, string? operatorName)
    {
        var body = new JsonObject { ["operation"] = operation, ["data_class"] = dataClass, ["path"] = path };
        if (operatorName is not null)
        {
            body["operator"] = operatorName;
        }

        return body;
    }
}
