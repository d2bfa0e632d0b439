using System.Text.Json;
using Keyward.Core.Audit;
using Keyward.Core.Capabilities;
using Keyward.Core.Quorum;
using Keyward.Core.Sessions;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Keyward.WebAuthn;

namespace Keyward.Server.Approvals;

internal sealed partial class ApprovalDesk
{
    /// <summary>
    /// The request options for one approval: the challenge is the request's own (SHA-256 of the canonical operation, the
    /// operator's nonce and this instance's id, computed by the quorum), user verification required, and only the
    /// caller's keys allowed. Nothing is stored: the challenge is the request's, and the vote checks it.
    /// </summary>
    public async Task<Outcome<VoteBeginResponse>> BeginVoteAsync(SessionInfo session, Guid id, CancellationToken cancellationToken)
    {
        var request = await approvals.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (request is null || !await MaySeeAsync(session, request, cancellationToken).ConfigureAwait(false))
        {
            return new Refusal(KeywardErrors.ApprovalUnknown, AuditAction: null);
        }

        if (ClosedError(request) is { } closed)
        {
            return new Refusal(closed, AuditAction: null);
        }

        var keys = await accounts.ListAuthenticatorsAsync(session.AccountId, cancellationToken).ConfigureAwait(false);
        var json = OptionsJson(request.Challenge, keys.Select(k => k.CredentialId));
        using var document = JsonDocument.Parse(json);
        return new VoteBeginResponse(request.Id, document.RootElement.Clone());
    }

    /// <summary>
    /// Counts the caller's approval: the assertion must be by a key of the caller's own account; then the quorum decides
    /// (<see cref="ApprovalService.VoteAsync"/>). Audited: the vote (authenticator id and sign count), the completion, or
    /// the refusal with its code.
    /// </summary>
    public async Task<Outcome<VoteResponse>> FinishVoteAsync(SessionInfo session, Guid id, JsonElement response, Caller caller, CancellationToken cancellationToken)
    {
        var credential = SignInService.ParseCredential(response);
        if (credential.Refused)
        {
            return credential.Refusal with { AuditAction = ApprovalAuditActions.Refused, Target = id.ToString() };
        }

        var key = await accounts.FindAuthenticatorAsync(credential.Value.RawId, cancellationToken).ConfigureAwait(false);
        if (key is null || key.AccountId != session.AccountId)
        {
            return new Refusal(KeywardErrors.ApprovalKeyNotOwn, ApprovalAuditActions.Refused, id.ToString());
        }

        var voted = await approvals.VoteAsync(id, credential.Value, cancellationToken).ConfigureAwait(false);
        if (!voted.Succeeded)
        {
            return Refuse(voted.Failure, id.ToString()) with { Details = new Dictionary<string, string> { ["authenticator_id"] = key.Id.ToString() } };
        }

        var outcome = voted.Value;
        var details = new Dictionary<string, string>
        {
            ["authenticator_id"] = outcome.AuthenticatorId.ToString(),
            ["sign_count"] = outcome.SignCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["group"] = outcome.Group,
            ["applied"] = outcome.Applied ? "true" : "false",
        };
        Guid? removedKey = null;
        var records = new List<AuditRecord> { AuditTrail.For(caller, ApprovalAuditActions.Voted, AuditOutcomes.Success, id.ToString(), details: details) };
        if (outcome.Applied && await approvals.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } applied)
        {
            records.Add(AuditTrail.For(caller, ApprovalAuditActions.Applied, AuditOutcomes.Success, id.ToString(), details: OperationDetails(applied)));
            if (ScopeAction(applied.Operation.Kind) is { } scopeAction)
            {
                // The capabilities slice's own record of the grant (issue 12 item 5), after the commit like the vote.
                var scope = new Dictionary<string, string>(applied.Operation.Parameters) { ["request"] = id.ToString(), ["operator"] = applied.OperatorAccountId.ToString() };
                records.Add(AuditTrail.For(caller, scopeAction, AuditOutcomes.Success, applied.Operation.Target, details: scope));
            }

            removedKey = applied.Operation.Kind == OperationKind.RemoveAdminKey && Guid.TryParse(applied.Operation.Target, out var keyId) ? keyId : null;
        }

        await audit.RecordAllAsync([.. records], CancellationToken.None).ConfigureAwait(false);
        if (removedKey is { } removed)
        {
            // remove_admin_key deleted the key in the quorum's transaction; the sessions it opened end now, as on the direct path.
            await sessions.RevokeForAuthenticatorAsync(removed, CancellationToken.None).ConfigureAwait(false);
        }

        return new VoteResponse(outcome.RequestId, outcome.Group, outcome.SignCount, outcome.Applied, outcome.Missing);
    }

    private static string? ScopeAction(OperationKind kind) => kind switch
    {
        OperationKind.GrantScope => CapabilityAuditActions.ScopeGranted,
        OperationKind.WidenScope => CapabilityAuditActions.ScopeWidened,
        _ => null,
    };

    private KeywardError? ClosedError(ApprovalRequest request) => request.State switch
    {
        ApprovalStates.Applied or ApprovalStates.Spent => KeywardErrors.ApprovalReplayed,
        ApprovalStates.Withdrawn => KeywardErrors.ApprovalWithdrawn,
        ApprovalStates.Denied => KeywardErrors.ApprovalDenied,
        ApprovalStates.Expired => KeywardErrors.ApprovalExpired,
        _ when request.ExpiresAt <= time.GetUtcNow() => KeywardErrors.ApprovalExpired,
        _ => null,
    };

    /// <summary>PublicKeyCredentialRequestOptions (WebAuthn JSON) over the request's challenge.</summary>
    private string OptionsJson(byte[] challenge, IEnumerable<byte[]> credentialIds)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("challenge", Base64Url.Encode(challenge));
            w.WriteNumber("timeout", (long)rp.Policy.Timeout.TotalMilliseconds);
            w.WriteString("rpId", rp.Policy.RpId);
            w.WriteStartArray("allowCredentials");
            foreach (var id in credentialIds)
            {
                w.WriteStartObject();
                w.WriteString("type", "public-key");
                w.WriteString("id", Base64Url.Encode(id));
                w.WriteEndObject();
            }

            w.WriteEndArray();

            // The quorum requires UV on every approval (docs/approvals.md, "Votes", step 6).
            w.WriteString("userVerification", "required");
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
