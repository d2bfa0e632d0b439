using System.Text.Json.Nodes;
using Keyward.Client;
using Keyward.Core.Capabilities;
using Keyward.Core.Vault;

namespace Keyward.Cli.Broker;

/// <summary>
/// The refusals of issue 12 as live requests, each with its stable code: a capability on another class's endpoint, on
/// another actor's secret, for another operation, for a path outside the scope; an approval vote replayed, and one
/// signed for another operation (which then counts, unchanged, on its own).
/// </summary>
internal sealed partial class VaultDemo
{
    // The audit action of a refused vote or proposal (the Server's ApprovalAuditActions.Refused).
    private const string ApprovalRefused = "approval.refused";

    private async Task RefusalsAsync(CancellationToken ct)
    {
        await Step(ClassMismatch, async () =>
        {
            // The credential write capability, sent to the memory class's endpoint for the same actor and path.
            var refused = await PutAsync(_writeCapability, "memory", _actor, SecretPath, ct).ConfigureAwait(false);
            Expect(refused, 403, "cap_data_class_mismatch", VaultAuditActions.Refused, "credential capability on /vault/v1/memory");
        }).ConfigureAwait(false);

        await Step(ActorMismatch, async () =>
        {
            var (second, _) = await CreateServiceAsync("demo-service-b", ct).ConfigureAwait(false);
            var refused = await Client.SendAsync(HttpMethod.Get, KeywardPaths.VaultSecret(Credential, second, SecretPath), token: _readCapability, cancellationToken: ct).ConfigureAwait(false);
            Expect(refused, 403, "cap_actor_mismatch", VaultAuditActions.Refused, "the first actor's read capability on the second actor's secret");
        }).ConfigureAwait(false);

        await Step(OperationMismatch, async () =>
        {
            var refused = await PutAsync(_readCapability, Credential, _actor, SecretPath, ct).ConfigureAwait(false);
            Expect(refused, 403, "cap_operation_mismatch", VaultAuditActions.Refused, "a write with the read capability");
        }).ConfigureAwait(false);

        await Step(PathOutside, async () =>
        {
            const string Outside = "other/api-key";
            var mint = await MintAsync(CapabilityOperations.Read, Credential, Outside, ct).ConfigureAwait(false);
            Expect(mint, 403, "cap_scope_missing", CapabilityAuditActions.CapabilityRefused, $"a capability for {Outside} (the scope is demo/)");
            var used = await Client.SendAsync(HttpMethod.Get, KeywardPaths.VaultSecret(Credential, _actor, Outside), token: _readCapability, cancellationToken: ct).ConfigureAwait(false);
            Expect(used, 403, "cap_path_mismatch", VaultAuditActions.Refused, $"the {SecretPath} capability used on {Outside}");
        }).ConfigureAwait(false);

        await Step(ReplayedVote, async () =>
        {
            var (request, assertion) = _grantLastVote;
            var replayed = await FinishAsync(Bob, request, assertion, ct).ConfigureAwait(false);
            Expect(replayed, 409, "approval_replayed", ApprovalRefused, "the grant's completing assertion sent again");
        }).ConfigureAwait(false);

        await Step(OtherOperation, async () =>
        {
            // Two pending reads; bob's key signs the first one's challenge, and that assertion is sent as a vote on the second.
            var meant = await ProposeAsync("read_sensitive_secret", SecretPath, new() { ["actor"] = _actor.ToString(), ["data_class"] = Credential }, ct).ConfigureAwait(false);
            var other = await ProposeAsync("read_sensitive_secret", "demo/other", new() { ["actor"] = _actor.ToString(), ["data_class"] = Credential }, ct).ConfigureAwait(false);
            var assertion = await SignAsync(Bob, meant, ct).ConfigureAwait(false);
            var refused = await FinishAsync(Bob, other, assertion, ct).ConfigureAwait(false);
            Expect(refused, 403, "approval_other_operation", ApprovalRefused, "bob's assertion for one read sent as a vote on another");

            // The same assertion on the operation it was made for counts: the refusal was about the operation, not the key.
            var counted = (await FinishAsync(Bob, meant, assertion, ct).ConfigureAwait(false)).EnsureSuccess().Json;
            if (counted.GetProperty("applied").GetBoolean())
            {
                throw new InvalidOperationException("one vote of two applied a read");
            }

            // Neither is needed: withdrawn, so no approved read is left lying around.
            foreach (var request in new[] { meant, other })
            {
                (await Client.PostAsync($"/api/approvals/{request}/withdraw", Alice.Token, new JsonObject(), ct).ConfigureAwait(false)).EnsureSuccess();
            }

            _report.Note("the same assertion then counted on its own request (1 of 2); both requests withdrawn");
        }).ConfigureAwait(false);
    }

    private Task<KeywardResponse> PutAsync(string capability, string dataClass, Guid actor, string path, CancellationToken ct) =>
        Client.SendAsync(HttpMethod.Put, KeywardPaths.VaultSecret(dataClass, actor, path), new JsonObject { ["value_base64"] = Convert.ToBase64String("not stored"u8) }, capability, cancellationToken: ct);
}
