using Keyward.Core.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Audit;

/// <summary>
/// Turns <see cref="AuditUnavailableException"/> from anywhere in the pipeline into 503 problem+json
/// <c>audit_unavailable</c>, dropping whatever the failed operation had put in the response (a session cookie, say).
/// The catch is in <see cref="HttpErrorsMiddleware"/> (its outermost clause: one try/catch for the three fail-closed
/// boundaries, issue 15); this is what it answers.
/// </summary>
internal static class AuditFailClosedMiddleware
{
    /// <summary>Answers 503 <c>audit_unavailable</c>, whatever the request had put in the response before.</summary>
    public static async Task RefuseAsync(HttpContext context)
    {
        // The audit log has already logged the cause (event 8001); the exception text stays out of the response.
        context.Response.Clear();
        context.Response.Headers.RetryAfter = "5";
        await Problems.WriteAsync(context, KeywardErrors.AuditUnavailable).ConfigureAwait(false);
    }
}
