using Keyward.Core.Audit;
using Keyward.Server.Authentication;
using Keyward.Server.Endpoints;

namespace Keyward.Server.Audit;

/// <summary>
/// How the broker records its decisions: one call per decision, the actor and client address taken from the request.
/// The rule everywhere: decide, record, then act; an operation that creates something (a session, a key, an invite)
/// acts first, records, and undoes its effect when the record fails. Either way, when the audit log cannot make the
/// event durable, <see cref="AuditUnavailableException"/> reaches <see cref="AuditFailClosedMiddleware"/> and the
/// client gets 503 <c>audit_unavailable</c>: nothing is reported done that the log does not hold.
/// </summary>
internal static class AuditTrail
{
    /// <summary>The actor of a request: its session's account, or <c>anonymous</c>.</summary>
    public static string Actor(HttpContext context) =>
        context.Features.Get<SessionFeature>()?.Session.AccountName ?? "anonymous";

    /// <summary>A record of a decision taken on <paramref name="context"/>.</summary>
    public static AuditRecord For(
        HttpContext context, string action, string outcome, string? target = null, string? actor = null, IReadOnlyDictionary<string, string>? details = null) =>
        new()
        {
            Actor = actor ?? Actor(context),
            Action = action,
            Target = target,
            Outcome = outcome,
            ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
            Details = details ?? new Dictionary<string, string>(),
        };

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
