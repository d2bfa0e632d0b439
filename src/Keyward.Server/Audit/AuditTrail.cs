using Keyward.Core.Audit;
using Keyward.Server.Authentication;
using Keyward.Server.Endpoints;

namespace Keyward.Server.Audit;

/// <summary>
/// How the broker records its decisions: one call per decision, the actor and client address taken from the request.
/// The rule everywhere: decide, record, then act. An operation that creates something (a session, a key, an invite)
/// makes its id first, so the record can name it before it exists. When the audit log cannot make the event durable,
/// <see cref="AuditUnavailableException"/> reaches <see cref="AuditFailClosedMiddleware"/> and the client gets 503
/// <c>audit_unavailable</c>: nothing happens that the log does not hold. Once recorded, the act runs to completion
/// even if the client goes away.
/// </summary>
internal static class AuditTrail
{
    /// <summary>The actor of a request: its session's account, or <c>anonymous</c>.</summary>
    public static string Actor(HttpContext context) =>
        context.Features.Get<SessionFeature>()?.Session.AccountName ?? "anonymous";

    /// <summary>A record of a decision taken on <paramref name="context"/>.</summary>
    /// <remarks>
    /// Text that comes from the client (a username, a path) is cut to what the log accepts, so an overlong input is
    /// still recorded, and refused, rather than failing the record.
    /// </remarks>
    public static AuditRecord For(
        HttpContext context, string action, string outcome, string? target = null, string? actor = null, IReadOnlyDictionary<string, string>? details = null) =>
        new()
        {
            Actor = Clip(actor ?? Actor(context), MaxActor)!,
            Action = action,
            Target = Clip(target, MaxTarget),
            Outcome = outcome,
            ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
            Details = details?.ToDictionary(d => Clip(d.Key, MaxDetail)!, d => Clip(d.Value, MaxDetail)!) ?? new Dictionary<string, string>(),
        };

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
    public static async Task<IResult> RefuseAsync(
        this IAuditLog audit, HttpContext context, string action, int status, string code, string detail, string? target = null, string? actor = null)
    {
        await audit.RecordAsync(context, action, AuditOutcomes.Denied, target, actor, new Dictionary<string, string> { ["code"] = code }).ConfigureAwait(false);
        return Problems.Create(status, code, detail);
    }
}

/// <summary>
/// Turns <see cref="AuditUnavailableException"/> from anywhere in the pipeline into 503 problem+json
/// <c>audit_unavailable</c>, dropping whatever the failed operation had put in the response (a session cookie, say).
/// </summary>
internal sealed class AuditFailClosedMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (AuditUnavailableException) when (!context.Response.HasStarted)
        {
            // The audit log has already logged the cause (event 8001); the exception text stays out of the response.
            context.Response.Clear();
            context.Response.Headers.RetryAfter = "5";
            await Problems.WriteAsync(
                context,
                StatusCodes.Status503ServiceUnavailable,
                "audit_unavailable",
                "Keyward could not record this decision in its audit log, so it did not carry it out. Try again shortly; if it persists, an operator should check the database.").ConfigureAwait(false);
        }
    }
}
