using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Keyward.Core.Capabilities;
using Keyward.Core.Vault;
using Spectre.Console;

namespace Keyward.Cli.Broker;

/// <summary>
/// The key epoch moved forward by quorum, a write under the new epoch, <c>keyward vault rekey</c> as a child process,
/// the old secret still readable; a change that would strand the quorum refused; then Keyward stopped and its audit log
/// exported and verified by the CLI, and read for every refusal the walk made.
/// </summary>
internal sealed partial class VaultDemo
{
    private const string SecondPath = "demo/api-key-2";

    private byte[] _value2 = [];

    private async Task EpochsAsync(CancellationToken ct)
    {
        await Step(AdvanceEpoch, async () =>
        {
            var request = await ProposeAsync("advance_key_epoch", "2", [], ct).ConfigureAwait(false);
            await ApproveAsync(request, ct).ConfigureAwait(false);
            _report.Note($"epoch advance {request} applied by both votes");
        }).ConfigureAwait(false);

        await Step(WriteEpoch2, async () =>
        {
            _value2 = RandomNumberGenerator.GetBytes(32);
            var write = await Client.MintCapabilityAsync(_actorKey, CapabilityOperations.Write, Credential, SecondPath, cancellationToken: ct).ConfigureAwait(false);
            await Client.PutSecretAsync(write.Token, Credential, _actor, SecondPath, _value2, ct).ConfigureAwait(false);

            // On the server's own records: epoch 2 is current and wraps the new data key; epoch 1 still wraps the first.
            var epochs = await ListEpochsAsync(ct).ConfigureAwait(false);
            if (epochs.GetValueOrDefault(1) != ("readable", 1) || epochs.GetValueOrDefault(2) != ("current", 1))
            {
                throw new InvalidOperationException($"expected epoch 1 readable with 1 data key and epoch 2 current with 1, got {Describe(epochs)}");
            }

            _report.Note($"before the rekey: {Describe(epochs)}");
        }).ConfigureAwait(false);

        await Step(Rekey, async () =>
        {
            var (exit, lines) = await RunChildAsync("keyward vault rekey", ["vault", "rekey", "--data-dir", _data, .. KeySettings], ct).ConfigureAwait(false);
            foreach (var line in lines)
            {
                _console.MarkupLineInterpolated($"    [grey]{line}[/]");
            }

            if (exit != 0 || !lines.Any(l => l.Contains("1/1 data keys (1 re-wrapped", StringComparison.Ordinal)) || !lines.Any(l => l.StartsWith("Done: 1 re-wrapped", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"keyward vault rekey exited {exit} without re-wrapping the one old data key: {string.Join(" | ", lines.TakeLast(4))}");
            }

            var epochs = await ListEpochsAsync(ct).ConfigureAwait(false);
            if (epochs.GetValueOrDefault(1) != ("readable", 0) || epochs.GetValueOrDefault(2) != ("current", 2))
            {
                throw new InvalidOperationException($"after the rekey expected epoch 1 with no data key and epoch 2 with 2, got {Describe(epochs)}");
            }

            _report.Note($"after the rekey: {Describe(epochs)}");
        }).ConfigureAwait(false);

        await Step(OldReadable, () => ApprovedReadAsync(SecretPath, _value, ct)).ConfigureAwait(false);
    }

    private async Task StrandAsync(CancellationToken ct)
    {
        await Step(ThresholdAbove, async () =>
        {
            var refused = await ProposalAsync("change_threshold", _policy.ToString(), new() { ["group"] = Group, ["threshold"] = "3" }, ct).ConfigureAwait(false);
            Expect(refused, 409, "approval_threshold_above_approvers", ApprovalRefused, "change_threshold to 3 in a group of 2");
            await PolicyUnchangedAsync(ct).ConfigureAwait(false);
        }).ConfigureAwait(false);

        await Step(RemoveStrands, async () =>
        {
            var refused = await ProposalAsync("remove_approver", _policy.ToString(), new() { ["group"] = Group, ["account"] = _bobAccount.ToString() }, ct).ConfigureAwait(false);
            Expect(refused, 409, "approval_would_strand", ApprovalRefused, "remove_approver bob from the 2-of-2 group");
            await PolicyUnchangedAsync(ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private async Task AuditAsync(CancellationToken ct)
    {
        List<JsonNode> events = [];
        await Step(AuditVerifies, async () =>
        {
            // Stopped first: the export is the log as Keyward left it.
            await StopServeAsync().ConfigureAwait(false);
            var (exit, lines) = await RunChildAsync("keyward audit export", ["audit", "export", "--data-dir", _data, "--out", Export], ct).ConfigureAwait(false);
            if (exit != 0)
            {
                throw new InvalidOperationException($"keyward audit export exited {exit}: {string.Join(" | ", lines.TakeLast(4))}");
            }

            (exit, lines) = await RunChildAsync("keyward audit verify", ["audit", "verify", Export], ct).ConfigureAwait(false);
            if (exit != 0)
            {
                throw new InvalidOperationException($"keyward audit verify exited {exit}: {string.Join(" | ", lines.TakeLast(4))}");
            }

            events = [.. File.ReadLines(Export).Select(l => JsonNode.Parse(l)!).Where(l => (string?)l["type"] == "event").Select(l => l["event"]!)];
            _report.Note($"audit: {events.Count} events exported; keyward audit verify: {lines.LastOrDefault(l => l.Length > 0)}");
        }).ConfigureAwait(false);

        await Step(RefusalsAudited, () =>
        {
            var missing = _refusals.Distinct().Where(r => !events.Any(e => (string?)e["action"] == r.Action && (string?)e["details"]?["code"] == r.Code)).ToList();
            if (_refusals.Count == 0 || missing.Count > 0)
            {
                throw new InvalidOperationException($"not in the audit log: {string.Join(", ", missing.Select(m => $"{m.Action} {m.Code}"))}");
            }

            var applied = events.Count(e => (string?)e["action"] == "approval.applied");
            if (applied != _applied)
            {
                throw new InvalidOperationException($"{_applied} operations were applied by quorum, the log records {applied}");
            }

            if (!events.Any(e => (string?)e["action"] == VaultAuditActions.Rekeyed && (string?)e["details"]?["state"] == "finished"))
            {
                throw new InvalidOperationException("the rekey is not in the audit log");
            }

            _report.Note($"audited: {string.Join(", ", _refusals.Distinct().Select(r => r.Code))}; {applied} approvals applied; the rekey");
            return Task.CompletedTask;
        }).ConfigureAwait(false);

        await Step(NoSecretAudited, () =>
        {
            string[] secrets = [Convert.ToBase64String(_value), Convert.ToBase64String(_value2), _actorKey, _readCapability, _writeCapability, Alice.Token, Bob.Token];
            foreach (var e in events)
            {
                var text = e.ToJsonString();
                if (secrets.Any(s => s.Length > 0 && text.Contains(s, StringComparison.Ordinal)) || CredentialShape().IsMatch(text))
                {
                    throw new InvalidOperationException($"an audit event holds a secret or something shaped like a credential ({(string?)e["action"]})");
                }
            }

            return Task.CompletedTask;
        }).ConfigureAwait(false);
    }

    /// <summary>The policy as Keyward lists it is still 2 of 2 with both approvers active.</summary>
    private async Task PolicyUnchangedAsync(CancellationToken ct)
    {
        var policies = (await Client.SendAsync(HttpMethod.Get, "/api/approvals/policies", token: Alice.Token, cancellationToken: ct).ConfigureAwait(false)).EnsureSuccess().Json;
        var policy = policies.GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("id").GetGuid() == _policy);
        var group = policy.GetProperty("groups")[0];
        if (group.GetProperty("threshold").GetInt32() != 2 || group.GetProperty("approvers").EnumerateArray().Count(a => a.GetProperty("active").GetBoolean()) != 2 || policy.GetProperty("stranded").GetBoolean())
        {
            throw new InvalidOperationException($"the policy changed: {policy.GetRawText()}");
        }
    }

    /// <summary><c>keyward vault epochs</c> as a child process: each epoch's state and number of data keys.</summary>
    private async Task<Dictionary<int, (string State, int DataKeys)>> ListEpochsAsync(CancellationToken ct)
    {
        var (exit, lines) = await RunChildAsync("keyward vault epochs", ["vault", "epochs", "--data-dir", _data, .. KeySettings], ct).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new InvalidOperationException($"keyward vault epochs exited {exit}: {string.Join(" | ", lines.TakeLast(4))}");
        }

        var epochs = new Dictionary<int, (string, int)>();
        foreach (var fields in lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 4))
        {
            if (int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var keys))
            {
                epochs[epoch] = (fields[1], keys);
            }
        }

        return epochs;
    }

    private static string Describe(Dictionary<int, (string State, int DataKeys)> epochs) =>
        string.Join("; ", epochs.OrderBy(e => e.Key).Select(e => $"epoch {e.Key} {e.Value.State}, {e.Value.DataKeys} data key(s)"));

    /// <summary>Something shaped like a Keyward credential: <c>kw?_</c> and at least five more characters.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("kw[a-z]_[0-9A-Za-z]{5,}")]
    private static partial System.Text.RegularExpressions.Regex CredentialShape();
}
