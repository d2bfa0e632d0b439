using Keyward.Core.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Audit;

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
            await Problems.WriteAsync(context, KeywardErrors.AuditUnavailable).ConfigureAwait(false);
        }
    }
}
