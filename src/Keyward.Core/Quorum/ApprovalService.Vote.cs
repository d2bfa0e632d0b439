using Keyward.Core.Storage;
using Keyward.WebAuthn;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Quorum;

public sealed partial class ApprovalService
{
    /// <summary>
    /// Counts one approval of <paramref name="requestId"/>: a WebAuthn assertion over the request's challenge. In one
    /// transaction, in this order: lock the request (a conditional UPDATE that only a pending, unexpired request
    /// passes, so votes on one request are serialized on every provider); the policy is not stranded; the operator's
    /// nonce is still the request's; the assertion signs this request's challenge; the key is registered, its account an
    /// active approver, the key hardware-bound unless the policy allows synced passkeys; the relying party's verifier
    /// (rpIdHash, UP, UV required, type webauthn.get, challenge, origin, signature, counter); a counter that moved up (a
    /// conditional UPDATE, so two uses of one counter value cannot both pass); a new authenticator and a new account for
    /// this request. When the approval completes every group's threshold: the request moves to applied (one conditional
    /// UPDATE), the operator's nonce is bumped, and the operation's applier runs, all committed together or not at all.
    /// </summary>
    public async Task<QuorumResult<VoteOutcome>> VoteAsync(Guid requestId, AuthenticationCredential assertion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var now = Now;
        var tenant = TenantScope.Of(null);
        await using var db = _database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        var locked = await db.ApprovalRequests.InTenant(tenant)
            .Where(r => r.Id == requestId && r.State == ApprovalStates.Pending && r.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LastVoteAt, now), cancellationToken).ConfigureAwait(false);
        var request = await db.ApprovalRequests.InTenant(tenant).AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken).ConfigureAwait(false);
        if (request is null)
        {
            return QuorumResult<VoteOutcome>.Fail(QuorumError.RequestUnknown);
        }

        if (locked == 0)
        {
            return Closed(request, now) ?? new QuorumFailure(QuorumError.RequestUnknown);
        }

        var checkedVote = await CheckVoteAsync(db, request, assertion, cancellationToken).ConfigureAwait(false);
        if (!checkedVote.Succeeded)
        {
            return checkedVote.Failure;
        }

        var (policy, group, key, signCount) = checkedVote.Value;
        if (await RecordVoteAsync(db, request, group, key, signCount, now, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var missing = await MissingAsync(db, request.Id, policy, cancellationToken).ConfigureAwait(false);
        var applied = false;
        if (missing.Count == 0)
        {
            if (await CompleteAsync(db, request, now, cancellationToken).ConfigureAwait(false) is { } notApplied)
            {
                return notApplied;
            }

            applied = true;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return QuorumResult<VoteOutcome>.Ok(new VoteOutcome
        {
            RequestId = request.Id,
            AccountId = key.AccountId,
            AuthenticatorId = key.Id,
            SignCount = signCount,
            Group = group.Name,
            Applied = applied,
            Missing = missing,
        });
    }

    /// <summary>Everything about the approval that needs no write: policy, nonce, challenge, key, approver, assertion.</summary>
    private async Task<QuorumResult<(ApprovalPolicy Policy, ApprovalGroup Group, AuthenticatorEntity Key, uint SignCount)>> CheckVoteAsync(
        KeywardDbContext db, ApprovalRequestEntity request, AuthenticationCredential assertion, CancellationToken cancellationToken)
    {
        var policy = await ApprovalPolicyService.LoadAsync(db, request.PolicyId, cancellationToken).ConfigureAwait(false);
        if (policy is null || policy.Stranded)
        {
            return new QuorumFailure(QuorumError.PolicyStranded, policy is null ? "the policy no longer exists" : policy.Name);
        }

        var nonce = await db.ApprovalOperators.Where(o => o.AccountId == request.OperatorAccountId)
            .Select(o => (long?)o.Nonce).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (nonce != request.Nonce)
        {
            return new QuorumFailure(QuorumError.Stale);
        }

        if (await CheckChallengeAsync(db, request, assertion, cancellationToken).ConfigureAwait(false) is { } wrongChallenge)
        {
            return wrongChallenge;
        }

        var key = await db.Authenticators.AsNoTracking().FirstOrDefaultAsync(a => a.CredentialId == assertion.RawId, cancellationToken).ConfigureAwait(false);
        var account = key is null ? null : await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == key.AccountId, cancellationToken).ConfigureAwait(false);
        if (key is null || account is null || key.TenantId != request.TenantId)
        {
            return new QuorumFailure(QuorumError.ApproverKeyUnknown);
        }

        if (policy.ActiveGroupOf(key.AccountId) is not { } group)
        {
            return new QuorumFailure(QuorumError.ApproverRemoved);
        }

        if (!policy.AllowSyncedPasskeys && key.BackupEligible)
        {
            return new QuorumFailure(QuorumError.ApproverKeySynced);
        }

        var verified = _relyingParty.VerifyAssertion(assertion, new AssertionCeremony
        {
            Challenge = request.Challenge,
            UserVerification = UserVerificationRequirement.Required,
            AllowCredentials = [key.CredentialId],
            UserIdentified = true,
        }, new StoredCredential
        {
            CredentialId = key.CredentialId,
            PublicKey = key.PublicKey,
            UserHandle = account.UserHandle,
            SignCount = (uint)key.SignCount,
            BackupEligible = key.BackupEligible,
        });
        if (!verified.Succeeded)
        {
            return verified.Failure.Error == WebAuthnErrorCode.SignCountRegressed
                ? new QuorumFailure(QuorumError.ApproverKeyCloned, verified.Failure.Detail)
                : new QuorumFailure(QuorumError.AssertionInvalid, verified.Failure.Code);
        }

        // A relying party configured to accept and flag a regressed counter must not let a possible clone approve.
        if (verified.Value.PossibleClone)
        {
            return new QuorumFailure(QuorumError.ApproverKeyCloned);
        }

        // A hardware-bound approver key must have a working counter: 0 means none, and then a clone would not show.
        if (!policy.AllowSyncedPasskeys && verified.Value.SignCount == 0)
        {
            return new QuorumFailure(QuorumError.ApproverKeyNoCounter);
        }

        return QuorumResult<(ApprovalPolicy, ApprovalGroup, AuthenticatorEntity, uint)>.Ok((policy, group, key, verified.Value.SignCount));
    }

    /// <summary>
    /// The assertion must sign this request's challenge. When it does not, say which mistake it is: the challenge of a
    /// request already applied is a replay; anything else is an approval for another operation.
    /// </summary>
    private static async Task<QuorumFailure?> CheckChallengeAsync(KeywardDbContext db, ApprovalRequestEntity request, AuthenticationCredential assertion, CancellationToken cancellationToken)
    {
        var clientData = CollectedClientData.Parse(assertion.ClientDataJson);
        if (!clientData.Succeeded)
        {
            return new QuorumFailure(QuorumError.AssertionInvalid, clientData.Failure.Code);
        }

        if (!Base64Url.TryDecode(clientData.Value.Challenge, out var signed))
        {
            return new QuorumFailure(QuorumError.AssertionInvalid, "the challenge is not base64url");
        }

        if (signed.AsSpan().SequenceEqual(request.Challenge))
        {
            return null;
        }

        var replayed = await db.ApprovalRequests.AnyAsync(r => r.Challenge == signed && (r.State == ApprovalStates.Applied || r.State == ApprovalStates.Spent), cancellationToken).ConfigureAwait(false);
        return new QuorumFailure(replayed ? QuorumError.Replayed : QuorumError.OtherOperation);
    }

    /// <summary>Moves the key's counter up (refused when another use got there first) and inserts the vote (refused when the key or account already voted).</summary>
    private static async Task<QuorumFailure?> RecordVoteAsync(
        KeywardDbContext db, ApprovalRequestEntity request, ApprovalGroup group, AuthenticatorEntity key, uint signCount, long now, CancellationToken cancellationToken)
    {
        if (await db.ApprovalVotes.AnyAsync(v => v.RequestId == request.Id && v.AuthenticatorId == key.Id, cancellationToken).ConfigureAwait(false))
        {
            return new QuorumFailure(QuorumError.DuplicateAuthenticator);
        }

        if (await db.ApprovalVotes.AnyAsync(v => v.RequestId == request.Id && v.AccountId == key.AccountId, cancellationToken).ConfigureAwait(false))
        {
            return new QuorumFailure(QuorumError.DuplicateAccount);
        }

        long count = signCount;
        var moved = await db.Authenticators.Where(a => a.Id == key.Id && (count == 0 || a.SignCount < count))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.SignCount, count).SetProperty(a => a.LastUsedAt, now), cancellationToken).ConfigureAwait(false);
        if (moved != 1)
        {
            return new QuorumFailure(QuorumError.ApproverKeyCloned, "another assertion with this counter was counted first");
        }

        db.ApprovalVotes.Add(new ApprovalVoteEntity
        {
            Id = Guid.NewGuid(),
            TenantId = request.TenantId,
            RequestId = request.Id,
            GroupId = group.Id,
            AccountId = key.AccountId,
            AuthenticatorId = key.Id,
            SignCount = signCount,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Approvals still missing per group; only votes of accounts that are still active approvers of that group count.</summary>
    private static async Task<Dictionary<string, int>> MissingAsync(KeywardDbContext db, Guid requestId, ApprovalPolicy policy, CancellationToken cancellationToken)
    {
        var votes = await db.ApprovalVotes.Where(v => v.RequestId == requestId)
            .Select(v => new { v.GroupId, v.AccountId }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in policy.Groups)
        {
            var counted = votes.Count(v => v.GroupId == group.Id && group.Approvers.Any(a => a.AccountId == v.AccountId && a.Active));
            if (counted < group.Threshold)
            {
                missing[group.Name] = group.Threshold - counted;
            }
        }

        return missing;
    }

    /// <summary>The completion: one conditional UPDATE from pending to applied, the nonce bump, and the applier, in the caller's transaction.</summary>
    private async Task<QuorumFailure?> CompleteAsync(KeywardDbContext db, ApprovalRequestEntity request, long now, CancellationToken cancellationToken)
    {
        var applied = await db.ApprovalRequests.Where(r => r.Id == request.Id && r.State == ApprovalStates.Pending && r.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, ApprovalStates.Applied).SetProperty(r => r.ClosedAt, now), cancellationToken).ConfigureAwait(false);
        if (applied != 1)
        {
            return new QuorumFailure(QuorumError.Replayed, "the request was already applied");
        }

        var bumped = await db.ApprovalOperators.Where(o => o.AccountId == request.OperatorAccountId && o.Nonce == request.Nonce)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Nonce, o => o.Nonce + 1), cancellationToken).ConfigureAwait(false);
        if (bumped != 1)
        {
            return new QuorumFailure(QuorumError.Stale);
        }

        var operation = StoredOperation(request);
        var context = new ApprovalContext { Database = db, Operation = operation, OperatorAccountId = request.OperatorAccountId, RequestId = request.Id, Now = now };
        return await _appliers[operation.Kind].ApplyAsync(context, cancellationToken).ConfigureAwait(false);
    }
}
