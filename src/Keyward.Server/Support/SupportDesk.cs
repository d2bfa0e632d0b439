using Keyward.Core.Accounts;
using Keyward.Core.Agents;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Core.Support;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.StepUp;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Support;

/// <summary>
/// The technician's side of remote support, as named steps: open a support session (for an enrolled machine, or ad
/// hoc with a support code), list, end, and join (mint a <c>kwj_</c>). Each decision is recorded before it is carried
/// out (<see cref="AuditTrail"/>); refusals are values for the endpoint to record and answer.
/// </summary>
internal sealed class SupportDesk(
    SupportSessionService sessions, SupportCodeService codes, JoinTokenService joins, IMachinePolicy machines, StepUpGate stepUp,
    IAuditLog audit, IOptions<SupportOptions> options)
{
    /// <summary>The longest reason a technician may give.</summary>
    public const int MaxReason = 500;

    /// <summary>The most machines one answer of <see cref="JoinableAsync"/> lists.</summary>
    public const int MaxJoinable = 500;

    /// <summary>The most live machines <see cref="JoinableAsync"/> reads to filter (bounds the work of one request).</summary>
    public const int MachineScan = 5000;

    /// <summary>Where a join token is presented.</summary>
    public static string ViewerPath(Guid supportSessionId) => $"/viewer/v1/sessions/{supportSessionId}";

    /// <summary>Opens a support session; an ad-hoc one's answer carries its support code, once.</summary>
    public async Task<Outcome<SupportSessionResponse>> OpenAsync(SessionInfo session, OpenSupportSessionRequest request, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(request);
        var reason = request.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > MaxReason || Keyward.Core.Text.UnsafeText.Contains(reason))
        {
            return new Refusal(KeywardErrors.SupportReasonInvalid, AuditAction: null);
        }

        var attended = request.Attended ?? true;
        var allowed = await MayOpenAsync(session, request.MachineId, attended, cancellationToken).ConfigureAwait(false);
        if (allowed is not null)
        {
            return allowed;
        }

        var id = Guid.NewGuid();
        var details = new Dictionary<string, string>
        {
            ["attended"] = attended ? "true" : "false",
            ["machine_id"] = request.MachineId?.ToString() ?? "ad-hoc",
            ["login_session_id"] = session.Id.ToString(),
        };
        var records = new List<AuditRecord> { AuditTrail.For(caller, SupportAuditActions.SessionOpened, AuditOutcomes.Success, id.ToString(), details: details) };
        if (request.MachineId is null)
        {
            records.Add(AuditTrail.For(caller, SupportAuditActions.CodeIssued, AuditOutcomes.Success, id.ToString()));
        }

        await audit.RecordAllAsync(records, CancellationToken.None).ConfigureAwait(false);
        var opened = await sessions.OpenAsync(new SupportSessionRequest
        {
            Id = id,
            AccountId = session.AccountId,
            LoginSessionId = session.Id,
            MachineId = request.MachineId,
            Attended = attended,
            Reason = reason,
            PendingLifetime = options.Value.PendingLifetime,
        }, CancellationToken.None).ConfigureAwait(false);
        var answer = SupportSessionResponse.Of(opened);
        if (request.MachineId is null)
        {
            var (code, expiresAt) = await codes.IssueAsync(id, session.AccountId, options.Value.CodeLifetime, CancellationToken.None).ConfigureAwait(false);
            answer = answer with { SupportCode = code, SupportCodeExpiresAt = expiresAt };
        }

        return answer;
    }

    /// <summary>Open support sessions: the caller's own, or every one for an admin.</summary>
    public async Task<SupportSessionsResponse> ListAsync(SessionInfo session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var list = await sessions.ListOpenAsync(session.Role == Roles.Admin ? null : session.AccountId, session.AccountId, cancellationToken).ConfigureAwait(false);
        return new SupportSessionsResponse([.. list.Select(SupportSessionResponse.Of)]);
    }

    /// <summary>
    /// The machines the caller may open support sessions for and join (<see cref="MachineAccess.Allows"/>, the join
    /// check's own rule), by label, at most <see cref="MaxJoinable"/>: of the first <see cref="MachineScan"/> live machines.
    /// </summary>
    public async Task<JoinableMachinesResponse> JoinableAsync(SessionInfo session, Func<Guid, bool> online, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(online);
        var live = await machines.ListAsync(MachineScan, cancellationToken).ConfigureAwait(false);
        var allowed = live.Where(m => m.Allows(session)).ToList();
        var listed = allowed.Take(MaxJoinable)
            .Select(m => new JoinableMachine(m.MachineId, m.Label, m.UnattendedAllowed ? AgentPolicies.Unattended : AgentPolicies.Attended, online(m.MachineId), m.LastSeenAt))
            .OrderBy(m => m.Label, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.Id).ToList();
        return new JoinableMachinesResponse(listed, allowed.Count > MaxJoinable || live.Count >= MachineScan);
    }

    /// <summary>Ends a support session of the caller's own (any, for an admin): its join tokens and viewers go with it.</summary>
    public async Task<Outcome<SupportSessionResponse>> EndAsync(SessionInfo session, Guid id, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var found = await VisibleAsync(session, id, SupportAuditActions.SessionEnded, cancellationToken).ConfigureAwait(false);
        if (found.Refused)
        {
            return found.Refusal;
        }

        await audit.RecordAllAsync(AuditTrail.For(caller, SupportAuditActions.SessionEnded, AuditOutcomes.Success, id.ToString(), details: new Dictionary<string, string> { ["reason"] = SupportEndReasons.Ended })).ConfigureAwait(false);
        if (!await sessions.EndAsync(id, SupportEndReasons.Ended, CancellationToken.None).ConfigureAwait(false))
        {
            return new Refusal(KeywardErrors.SupportSessionEnded, SupportAuditActions.SessionEnded, id.ToString());
        }

        return SupportSessionResponse.Of((await sessions.FindAsync(id, session.AccountId, CancellationToken.None).ConfigureAwait(false))!);
    }

    /// <summary>
    /// Mints a join token for the caller's account and login session: the session must be open, the caller allowed on
    /// it (the machine's policy; an ad-hoc session's own technician or an admin), and an unattended session needs a
    /// <c>support.join</c> step-up for it, which the join spends.
    /// </summary>
    public async Task<Outcome<JoinResponse>> JoinAsync(SessionInfo session, Guid id, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        const string Refused = SupportAuditActions.JoinRefused;
        var target = id.ToString();
        var support = await sessions.FindAsync(id, session.AccountId, cancellationToken).ConfigureAwait(false);
        if (support is null)
        {
            return new Refusal(KeywardErrors.SupportSessionNotFound, Refused, target);
        }

        if (!support.IsOpen)
        {
            return new Refusal(KeywardErrors.SupportSessionEnded, Refused, target);
        }

        if (support.MachineId is { } machineId)
        {
            var machine = await machines.FindAsync(machineId, cancellationToken).ConfigureAwait(false);
            if (machine is null)
            {
                return new Refusal(KeywardErrors.MachineNotFound, Refused, target);
            }

            if (!machine.Allows(session))
            {
                return new Refusal(KeywardErrors.JoinNotAllowed, Refused, target);
            }
        }
        else if (support.AccountId != session.AccountId && session.Role != Roles.Admin)
        {
            return new Refusal(KeywardErrors.JoinNotAllowed, Refused, target);
        }

        // Before the step-up, which a refused join must not spend.
        if (await joins.CountUnusedAsync(id, session.Id, cancellationToken).ConfigureAwait(false) >= options.Value.MaxUnusedJoinTokens)
        {
            return new Refusal(KeywardErrors.JoinTokenLimit, Refused, target);
        }

        if (!support.Attended && await stepUp.ConsumeAsync(session, StepUpPurposes.SupportJoin, target, cancellationToken).ConfigureAwait(false) is { } required)
        {
            return required;
        }

        var tokenId = Guid.NewGuid();
        await audit.RecordAllAsync(AuditTrail.For(caller, SupportAuditActions.JoinMinted, AuditOutcomes.Success, target, details: new Dictionary<string, string>
        {
            ["join_token_id"] = tokenId.ToString(),
            ["login_session_id"] = session.Id.ToString(),
            ["attended"] = support.Attended ? "true" : "false",
        })).ConfigureAwait(false);
        var (token, _, expiresAt) = await joins.MintAsync(id, session.AccountId, session.Id, options.Value.JoinLifetime, tokenId, CancellationToken.None).ConfigureAwait(false);
        return new JoinResponse(token, expiresAt, ViewerPath(id));
    }

    private async Task<Refusal?> MayOpenAsync(SessionInfo session, Guid? machineId, bool attended, CancellationToken cancellationToken)
    {
        const string Refused = SupportAuditActions.SessionOpened;
        if (await sessions.CountOpenForAccountAsync(session.AccountId, cancellationToken).ConfigureAwait(false) >= options.Value.MaxSessionsPerAccount)
        {
            return new Refusal(KeywardErrors.SupportSessionLimit, Refused, machineId?.ToString() ?? "ad-hoc");
        }

        if (machineId is not { } id)
        {
            // An ad-hoc agent is run by the person at the machine, who is there to consent.
            return attended ? null : new Refusal(KeywardErrors.UnattendedNotAllowed, Refused, "ad-hoc");
        }

        var machine = await machines.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (machine is null)
        {
            return new Refusal(KeywardErrors.MachineNotFound, Refused, id.ToString());
        }

        if (!machine.Allows(session))
        {
            return new Refusal(KeywardErrors.JoinNotAllowed, Refused, id.ToString());
        }

        if (!attended && !machine.UnattendedAllowed)
        {
            return new Refusal(KeywardErrors.UnattendedNotAllowed, Refused, id.ToString());
        }

        return await sessions.CountOpenForMachineAsync(id, session.AccountId, cancellationToken).ConfigureAwait(false) >= options.Value.MaxSessionsPerMachine
            ? new Refusal(KeywardErrors.SupportSessionLimit, Refused, id.ToString())
            : null;
    }

    // A session the caller may act on: their own, or any for an admin; others' are not found (no oracle of ids).
    private async Task<Outcome<SupportSession>> VisibleAsync(SessionInfo session, Guid id, string action, CancellationToken cancellationToken)
    {
        var found = await sessions.FindAsync(id, session.AccountId, cancellationToken).ConfigureAwait(false);
        if (found is null || (found.AccountId != session.AccountId && session.Role != Roles.Admin))
        {
            return new Refusal(KeywardErrors.SupportSessionNotFound, action, id.ToString());
        }

        return found.IsOpen ? found : new Refusal(KeywardErrors.SupportSessionEnded, action, id.ToString());
    }
}
