using System.Net;
using Keyward.Core.Audit;
using Keyward.Core.Credentials;
using Keyward.Core.Support;
using Keyward.Server.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Support;

/// <summary>
/// Where an ad-hoc agent's support code is checked (round 2's agent plane calls it when an agent connects with a code):
/// <see cref="SupportCodeLimiter"/> first, then <see cref="SupportCodeService.ConsumeAsync"/> (atomic, single use), and
/// the support session must still be open. Every answer but success is one code, <c>support_code_invalid</c> (or
/// <c>support_code_rate_limited</c>), so a guesser learns nothing about which codes exist; the audit record says which
/// (<c>support.code_refused</c> with the reason; a rate-limit refusal once per address group and window). Never
/// records the code. Wrong answers are grouped like every repeated refusal (<see cref="RepeatedRefusals"/>, docs/audit.md,
/// "Repeated refusals"): a spent, expired or ended code presented again from the same address group is one event, then
/// one count per interval. An unknown guess stays one event each (the limits bound how many).
/// </summary>
internal sealed class SupportCodeBinder(SupportCodeLimiter limiter, SupportCodeService codes, SupportSessionService sessions, IAuditLog audit, RepeatedRefusals repeats)
{
    /// <summary>Consumes <paramref name="code"/> for a caller at <paramref name="address"/>: the session it binds to, or the refusal (already recorded).</summary>
    public async Task<Outcome<SupportCodeBinding>> BindAsync(string? code, IPAddress? address, CancellationToken cancellationToken)
    {
        var caller = new Caller("anonymous", address?.ToString());
        var check = await limiter.TryReserveAsync(AddressGroup.Of(address), cancellationToken).ConfigureAwait(false);
        if (check.Allowance == SupportCodeAllowance.Refused)
        {
            if (check.FirstRefusal)
            {
                await RecordAsync(caller, SupportAuditActions.CodeRefused, AuditOutcomes.Denied, null, KeywardErrors.SupportCodeRateLimited.Code, "address_or_global_limit").ConfigureAwait(false);
            }

            return new Refusal(KeywardErrors.SupportCodeRateLimited, AuditAction: null) { RetryAfter = check.Wait };
        }

        var redeemed = await codes.ConsumeAsync(code, cancellationToken).ConfigureAwait(false);
        if (!redeemed.Succeeded)
        {
            var reason = redeemed.Failure switch
            {
                SupportCodeFailure.Expired => "expired",
                SupportCodeFailure.Consumed => "consumed",
                _ => "unknown",
            };
            // A known code (spent, expired) is grouped under itself; an unknown guess names no code to group under and is
            // one event, bounded by the per-address and global limits above.
            if (redeemed.Failure is SupportCodeFailure.Expired or SupportCodeFailure.Consumed)
            {
                await RefuseAsync(caller, address, Subject(reason, code), null, reason).ConfigureAwait(false);
            }
            else
            {
                await RecordAsync(caller, SupportAuditActions.CodeRefused, AuditOutcomes.Denied, null, KeywardErrors.SupportCodeInvalid.Code, reason).ConfigureAwait(false);
            }

            return new Refusal(KeywardErrors.SupportCodeInvalid, AuditAction: null);
        }

        await limiter.RefundAsync(check, cancellationToken).ConfigureAwait(false);
        var sessionId = redeemed.SupportSessionId!.Value;
        var session = await sessions.FindAsync(sessionId, redeemed.AccountId, cancellationToken).ConfigureAwait(false);
        if (session is not { IsOpen: true })
        {
            await RefuseAsync(caller, address, Subject("session_ended", code), sessionId.ToString(), "session_ended").ConfigureAwait(false);
            return new Refusal(KeywardErrors.SupportCodeInvalid, AuditAction: null);
        }

        await RecordAsync(caller, SupportAuditActions.CodeConsumed, AuditOutcomes.Success, sessionId.ToString(), null, null).ConfigureAwait(false);
        return new SupportCodeBinding(sessionId, redeemed.AccountId!.Value);
    }

    // The grouping key of a known code's refusal: the reason and the code as typed loosely (RepeatedRefusals keeps a hash).
    private static string Subject(string reason, string? code) => string.Concat(reason, " ", HumanCode.Normalize(code) ?? code);

    private Task RefuseAsync(Caller caller, IPAddress? address, string subject, string? target, string reason) =>
        repeats.RecordAsync(
            string.Concat(KeywardErrors.SupportCodeInvalid.Code, " ", subject),
            address,
            AuditTrail.For(caller, SupportAuditActions.CodeRefused, AuditOutcomes.Denied, target, details: Details(KeywardErrors.SupportCodeInvalid.Code, reason)));

    private async Task RecordAsync(Caller caller, string action, string outcome, string? target, string? code, string? reason) =>
        await audit.RecordAsync(AuditTrail.For(caller, action, outcome, target, details: Details(code, reason)), CancellationToken.None).ConfigureAwait(false);

    private static Dictionary<string, string> Details(string? code, string? reason)
    {
        var details = new Dictionary<string, string>();
        if (code is not null)
        {
            details["code"] = code;
        }

        if (reason is not null)
        {
            details["reason"] = reason;
        }

        return details;
    }
}
