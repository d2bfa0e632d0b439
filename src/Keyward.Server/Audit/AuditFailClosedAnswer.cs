using Keyward.Core.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Audit;

/// <summary>
/// Turns <see cref="AuditUnavailableException"/> from anywhere in the pipeline into 503 problem+json
/// <c>audit_unavailable</c>, dropping whatever the failed operation had put in the response (a session cookie, say).
/// Caught in <see cref="HttpErrorsMiddleware"/>'s try/catch (<see cref="IFailClosedAnswer"/>), after the signing key's.
/// </summary>
internal sealed class AuditFailClosedAnswer : IFailClosedAnswer
{
    public bool Answers(Exception exception) => exception is AuditUnavailableException;

    public async Task AnswerAsync(HttpContext context, Exception exception)
    {
        // The audit log has already logged the cause (event 8001); the exception text stays out of the response.
        HttpErrorsMiddleware.ClearKeepingHsts(context.Response);
        context.Response.Headers.RetryAfter = "5";
        await Problems.WriteAsync(context, KeywardErrors.AuditUnavailable).ConfigureAwait(false);
    }
}
