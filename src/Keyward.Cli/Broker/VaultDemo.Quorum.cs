using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.Core.Capabilities;
using Keyward.Core.Vault;

namespace Keyward.Cli.Broker;

/// <summary>
/// The two approvers and their 2-of-2 policy, the service identity, the scope granted by their votes, and the credential
/// stored and read back (each read of a sensitive class approved by the quorum).
/// </summary>
internal sealed partial class VaultDemo
{
    private const string Group = "security";

    private Approver? _alice;
    private Approver? _bob;
    private Guid _policy;
    private Guid _bobAccount;
    private Guid _actor;
    private string _actorKey = string.Empty;
    private string _readCapability = string.Empty;
    private string _writeCapability = string.Empty;
    private byte[] _value = [];
    private int _applied;

    // The grant's completing vote: sent again later, it must be refused as a replay.
    private (Guid Request, string Assertion) _grantLastVote;

    private Approver Alice => _alice ?? throw new InvalidOperationException("the first approver is not registered");

    private Approver Bob => _bob ?? throw new InvalidOperationException("the second approver is not registered");

    private async Task QuorumAsync(CancellationToken ct)
    {
        await Step(FirstApprover, async () =>
        {
            var key = NewKey();
            var setup = await SetupCodeAsync(ct).ConfigureAwait(false);
            await Client.RegisterAsync(key, RegistrationRequest.WithSetupCode(setup, "alice", "alice's key"), ct).ConfigureAwait(false);
            _alice = new Approver("alice", key, (await Client.SignInAsync(key, "alice", ct).ConfigureAwait(false)).SessionToken);
        }).ConfigureAwait(false);

        await Step(SecondApprover, async () =>
        {
            var invite = await Client.WithStepUpAsync(Alice.Key, Alice.Token, () => Client.CreateInviteAsync(Alice.Token, "bob", "user", ct), ct).ConfigureAwait(false);
            var key = NewKey();
            await Client.RegisterAsync(key, RegistrationRequest.WithInvite(invite.Invite, "bob's key"), ct).ConfigureAwait(false);
            _bob = new Approver("bob", key, (await Client.SignInAsync(key, "bob", ct).ConfigureAwait(false)).SessionToken);
        }).ConfigureAwait(false);

        await Step(Policy, async () =>
        {
            var body = new JsonObject
            {
                ["name"] = "vault-demo",
                ["kinds"] = Array("grant_scope", "read_sensitive_secret", "advance_key_epoch", "change_threshold", "remove_approver"),
                ["groups"] = new JsonArray(new JsonObject { ["name"] = Group, ["threshold"] = 2, ["approvers"] = Array("alice", "bob") }),
                ["allow_synced_passkeys"] = false,
            };
            var created = await AdminAsync(() => Client.PostAsync("/api/approvals/policies", Alice.Token, body, ct), ct).ConfigureAwait(false);
            _policy = created.Json.GetProperty("id").GetGuid();
            var group = created.Json.GetProperty("groups")[0];
            var approvers = group.GetProperty("approvers").EnumerateArray().ToList();
            if (group.GetProperty("threshold").GetInt32() != 2 || approvers.Count != 2 || created.Json.GetProperty("allow_synced_passkeys").GetBoolean())
            {
                throw new InvalidOperationException($"the policy is not 2 of 2 hardware-bound keys: {created.Body}");
            }

            _report.Note($"policy {_policy}: 2 of {{alice, bob}} over {string.Join(", ", created.Json.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()))}");
            _bobAccount = approvers.Single(a => a.GetProperty("account_name").GetString() == "bob").GetProperty("account_id").GetGuid();
        }).ConfigureAwait(false);
    }

    private async Task ScopeAsync(CancellationToken ct)
    {
        await Step(CreateActor, async () =>
        {
            (_actor, _actorKey) = await CreateServiceAsync("demo-service", ct).ConfigureAwait(false);
        }).ConfigureAwait(false);

        await Step(GrantScope, async () =>
        {
            var body = new JsonObject
            {
                ["actor_id"] = _actor.ToString(),
                ["actor_kind"] = "service",
                ["operations"] = Array(CapabilityOperations.Read, CapabilityOperations.Write),
                ["data_classes"] = Array(Credential),
                ["prefixes"] = Array("demo/"),
            };
            var proposed = await AdminAsync(() => Client.PostAsync("/api/admin/scopes", Alice.Token, body, ct), ct).ConfigureAwait(false);
            if (proposed.StatusCode != 202)
            {
                throw new InvalidOperationException($"a grant must only be proposed (202), got {proposed.StatusCode}");
            }

            var request = Guid.Parse(proposed.Json.GetProperty("request_id").GetString()!);
            var first = await VoteAsync(Alice, request, ct).ConfigureAwait(false);
            if (first.Applied)
            {
                throw new InvalidOperationException("one vote of two applied the grant");
            }

            // One vote of two: the scope does not exist yet, so the actor can mint nothing.
            var early = await MintAsync(CapabilityOperations.Write, Credential, SecretPath, ct).ConfigureAwait(false);
            Expect(early, 403, "cap_scope_missing", CapabilityAuditActions.CapabilityRefused, "mint after one vote of two");

            var last = await VoteAsync(Bob, request, ct).ConfigureAwait(false);
            if (!last.Applied)
            {
                throw new InvalidOperationException("the second vote did not complete the quorum");
            }

            _applied++;
            _grantLastVote = (request, last.Assertion);
            _report.Note($"grant {request}: alice's vote (counter {first.SignCount}), then bob's (counter {last.SignCount}) applied it");
        }).ConfigureAwait(false);

        await Step(StoreCredential, async () =>
        {
            _value = RandomNumberGenerator.GetBytes(48);
            _writeCapability = (await Client.MintCapabilityAsync(_actorKey, CapabilityOperations.Write, Credential, SecretPath, cancellationToken: ct).ConfigureAwait(false)).Token;
            var version = await Client.PutSecretAsync(_writeCapability, Credential, _actor, SecretPath, _value, ct).ConfigureAwait(false);
            _report.Note($"stored {Credential}/{SecretPath} version {version}: {_value.Length} random bytes, SHA-256 {Fingerprint(_value)}");
        }).ConfigureAwait(false);

        await Step(ReadNeedsApproval, async () =>
        {
            _readCapability = (await Client.MintCapabilityAsync(_actorKey, CapabilityOperations.Read, Credential, SecretPath, cancellationToken: ct).ConfigureAwait(false)).Token;
            var refused = await Client.SendAsync(HttpMethod.Get, KeywardPaths.VaultSecret(Credential, _actor, SecretPath), token: _readCapability, cancellationToken: ct).ConfigureAwait(false);
            Expect(refused, 403, "approval_required", VaultAuditActions.Refused, "sensitive read without an approval");
        }).ConfigureAwait(false);

        await Step(ReadBack, () => ApprovedReadAsync(SecretPath, _value, ct)).ConfigureAwait(false);
    }

    /// <summary>A read of a sensitive class: proposed, approved by both keys, then read with a fresh capability and compared.</summary>
    private async Task ApprovedReadAsync(string path, byte[] expected, CancellationToken ct)
    {
        var request = await ProposeAsync("read_sensitive_secret", path, new() { ["actor"] = _actor.ToString(), ["data_class"] = Credential }, ct).ConfigureAwait(false);
        await ApproveAsync(request, ct).ConfigureAwait(false);
        var read = await Client.MintCapabilityAsync(_actorKey, CapabilityOperations.Read, Credential, path, cancellationToken: ct).ConfigureAwait(false);
        using var value = await Client.GetSecretAsync(read.Token, Credential, _actor, path, cancellationToken: ct).ConfigureAwait(false);
        if (!value.Value.SequenceEqual(expected))
        {
            throw new InvalidOperationException($"{path} came back different: {value.Value.Length} bytes, SHA-256 {Fingerprint(value.Value)}, expected {Fingerprint(expected)}");
        }

        _report.Note($"read {Credential}/{path} version {value.Version} after approval {request}: {value.Value.Length} bytes, identical");
    }

    /// <summary>Proposes an operation on alice's authority; the request's id.</summary>
    private async Task<Guid> ProposeAsync(string kind, string target, Dictionary<string, string> parameters, CancellationToken ct)
    {
        var proposed = (await ProposalAsync(kind, target, parameters, ct).ConfigureAwait(false)).EnsureSuccess();
        return proposed.Json.GetProperty("id").GetGuid();
    }

    private Task<KeywardResponse> ProposalAsync(string kind, string target, Dictionary<string, string> parameters, CancellationToken ct) =>
        Client.PostAsync("/api/approvals", Alice.Token, new JsonObject
        {
            ["kind"] = kind,
            ["target"] = target,
            ["parameters"] = new JsonObject([.. parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
        }, ct);

    /// <summary>Alice's vote (the quorum must still miss one), then bob's (which must apply the operation).</summary>
    private async Task ApproveAsync(Guid request, CancellationToken ct)
    {
        if ((await VoteAsync(Alice, request, ct).ConfigureAwait(false)).Applied)
        {
            throw new InvalidOperationException($"one vote of two applied request {request}");
        }

        if (!(await VoteAsync(Bob, request, ct).ConfigureAwait(false)).Applied)
        {
            throw new InvalidOperationException($"two votes of two did not apply request {request}");
        }

        _applied++;
    }

    /// <summary>One approver's vote: <c>vote/begin</c>, the key signs the operation's challenge, <c>vote/finish</c>.</summary>
    private async Task<Vote> VoteAsync(Approver approver, Guid request, CancellationToken ct)
    {
        var assertion = await SignAsync(approver, request, ct).ConfigureAwait(false);
        var answer = (await FinishAsync(approver, request, assertion, ct).ConfigureAwait(false)).EnsureSuccess().Json;
        return new Vote(answer.GetProperty("applied").GetBoolean(), answer.GetProperty("sign_count").GetInt64(), assertion);
    }

    /// <summary>The assertion (WebAuthn JSON) the approver's key makes over the options <c>vote/begin</c> answers.</summary>
    private async Task<string> SignAsync(Approver approver, Guid request, CancellationToken ct)
    {
        var begun = (await Client.PostAsync($"/api/approvals/{request}/vote/begin", approver.Token, new JsonObject(), ct).ConfigureAwait(false)).EnsureSuccess();
        return approver.Key.GetAssertion(begun.Json.GetProperty("public_key").GetRawText(), Client.Origin);
    }

    private Task<KeywardResponse> FinishAsync(Approver approver, Guid request, string assertion, CancellationToken ct) =>
        Client.PostAsync($"/api/approvals/{request}/vote/finish", approver.Token, new JsonObject { ["credential"] = JsonNode.Parse(assertion) }, ct);

    /// <summary>An admin call as alice: when Keyward asks for an admin step-up, her key makes it and the call is sent again.</summary>
    private Task<KeywardResponse> AdminAsync(Func<Task<KeywardResponse>> call, CancellationToken ct) =>
        Client.WithStepUpAsync(Alice.Key, Alice.Token, async () => (await call().ConfigureAwait(false)).EnsureSuccess(), ct);

    /// <summary>A new service identity: its id and its key (kept in memory only).</summary>
    private async Task<(Guid Id, string Key)> CreateServiceAsync(string label, CancellationToken ct)
    {
        var created = await AdminAsync(() => Client.PostAsync("/api/admin/actors", Alice.Token, new JsonObject { ["label"] = label }, ct), ct).ConfigureAwait(false);
        return (Guid.Parse(created.Json.GetProperty("id").GetString()!), created.Json.GetProperty("service_key").GetString()!);
    }

    /// <summary>A mint at <c>/actor/v1/capabilities</c> with the actor's key, answered as it is.</summary>
    private Task<KeywardResponse> MintAsync(string operation, string dataClass, string path, CancellationToken ct) =>
        Client.SendAsync(HttpMethod.Post, KeywardPaths.ActorCapabilities, new JsonObject { ["operation"] = operation, ["data_class"] = dataClass, ["path"] = path }, _actorKey, cancellationToken: ct);

    private static string Fingerprint(ReadOnlySpan<byte> value) => Convert.ToHexStringLower(SHA256.HashData(value))[..16];

    private sealed record Approver(string Name, VirtualAuthenticator Key, string Token);

    private sealed record Vote(bool Applied, long SignCount, string Assertion);
}
