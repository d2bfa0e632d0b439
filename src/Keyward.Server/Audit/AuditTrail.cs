using System.Globalization;
using Keyward.Core.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Audit;

/// <summary>
/// How the broker records its decisions: one call per decision, the actor and client address taken from the request.
/// The rule everywhere: decide, record, then act. An operation that creates something (a session, a key, an invite)
/// makes its id first, so the record can name it before it exists. When the audit log cannot make the event durable,
/// <see cref="AuditUnavailableException"/> reaches <see cref="AuditFailClosedAnswer"/> and the client gets 503
/// <c>audit_unavailable</c>: nothing happens that the log does not hold. Once recorded, the act runs to completion
/// even if the client goes away.
/// </summary>
internal static class AuditTrail
{
    /// <summary>A record of a decision taken on <paramref name="context"/>.</summary>
    /// <remarks>
    /// Text that comes from the client (a username, a path) is cut to what the log accepts, so an overlong input is
    /// still recorded, and refused, rather than failing the record.
    /// </remarks>
    public static AuditRecord For(
        HttpContext context, string action, string outcome, string? target = null, string? actor = null, IReadOnlyDictionary<string, string>? details = null) =>
        For(Caller.Of(context), action, outcome, target, actor, details);

    /// <summary>A record of a decision taken for <paramref name="caller"/>.</summary>
    public static AuditRecord For(
        Caller caller, string action, string outcome, string? target = null, string? actor = null, IReadOnlyDictionary<string, string>? details = null) =>
        new()
        {
            Actor = Clip(actor ?? caller.Actor, MaxActor)!,
            Action = action,
            Target = Clip(target, MaxTarget),
            Outcome = outcome,
            ClientAddress = caller.ClientAddress,
            Details = details is null ? NoDetails : Fits(details) ? details : details.ToDictionary(d => Clip(d.Key, MaxDetail)!, d => Clip(d.Value, MaxDetail)!),
        };

    // Details that already fit are recorded as given, not copied (issue 15: every sign-in records two events); the log
    // encodes them as it takes them (PreparedRecord.From), and no caller changes a dictionary it has handed over.
    private static readonly Dictionary<string, string> NoDetails = [];

    private static bool Fits(IReadOnlyDictionary<string, string> details)
    {
        foreach (var (key, value) in details)
        {
            if (key is { Length: > MaxDetail } || value is { Length: > MaxDetail })
            {
                return false;
            }
        }

        return true;
    }

    // The audit log's limits (docs/audit.md): actor 200, target 400 characters; details 1,000 by default.
    private const int MaxActor = 200;
    private const int MaxTarget = 400;
    private const int MaxDetail = 1000;

    private static string? Clip(string? text, int max) => text is null || text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    /// <summary>
    /// Records a decision and returns once it is durable. Not cancelled with the request: once queued, the event is
    /// written whether or not the client waits.
    /// </summary>
    /// <exception cref="AuditUnavailableException">It could not be recorded; the operation must not happen.</exception>
    public static async Task RecordAsync(
        this IAuditLog audit, HttpContext context, string action, string outcome, string? target = null, string? actor = null, IReadOnlyDictionary<string, string>? details = null)
    {
        ArgumentNullException.ThrowIfNull(audit);
        await audit.RecordAsync(For(context, action, outcome, target, actor, details), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Details naming the request's path (for decisions that apply to several endpoints, such as rate limits).</summary>
    public static Dictionary<string, string> PathDetail(HttpContext context) => new() { ["path"] = context.Request.Path.Value ?? string.Empty };

    /// <summary>Records the events of one decision together: all of them, or none (then it throws).</summary>
    /// <exception cref="AuditUnavailableException">None was recorded; the operation must not happen.</exception>
    public static async Task RecordAllAsync(this IAuditLog audit, params AuditRecord[] records)
    {
        ArgumentNullException.ThrowIfNull(audit);
        await audit.RecordAllAsync(records, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Records a refusal with its stable error code, then answers with the problem.</summary>
    public static Task<IResult> RefuseAsync(
        this IAuditLog audit, HttpContext context, string action, KeywardError error, string? target = null, string? actor = null) =>
        audit.RefuseAsync(context, new Refusal(error, action, target, actor));

    /// <summary>Records a refusal (its code and details), then answers with the problem (and Retry-After, if any).</summary>
    public static async Task<IResult> RefuseAsync(this IAuditLog audit, HttpContext context, Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        if (refusal.AuditAction is null)
        {
            return Problems.Result(refusal.Error);
        }

        var details = new Dictionary<string, string> { ["code"] = refusal.Error.Code };
        if (refusal.RetryAfter is not null)
        {
            // A rate limit covers several endpoints: say which one was hit.
            details["path"] = context.Request.Path.Value ?? string.Empty;
        }

        foreach (var (key, value) in refusal.Details ?? new Dictionary<string, string>())
        {
            details[key] = value;
        }

        if (refusal.AuditAction == AuditActions.RateLimited && context.RequestServices.GetService<RepeatedRefusals>() is { } repeats)
        {
            // A limit hit again and again from one address: the first is one event, the rest a count per interval.
            var record = For(context, refusal.AuditAction, AuditOutcomes.Denied, refusal.Target, refusal.Actor, details);
            await repeats.RecordAsync(string.Concat(refusal.Target, " ", refusal.Actor), context.Connection.RemoteIpAddress, record).ConfigureAwait(false);
        }
        else
        {
            await audit.RecordAsync(context, refusal.AuditAction, AuditOutcomes.Denied, refusal.Target, refusal.Actor, details).ConfigureAwait(false);
        }

        if (refusal.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return Problems.Result(refusal.Error);
    }
}
