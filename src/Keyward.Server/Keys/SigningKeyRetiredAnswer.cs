using Keyward.Server.Http;

namespace Keyward.Server.Keys;

/// <summary>
/// Turns <see cref="SigningKeyRetiredException"/> from anywhere in the pipeline into 503 problem+json
/// <c>signing_key_retired</c> and logs the alarm (event 3104): the node fails closed rather than sign with a key past
/// its retirement. Caught in <see cref="HttpErrorsMiddleware"/>'s try/catch (<see cref="IFailClosedAnswer"/>), before
/// the audit log's.
/// </summary>
internal sealed partial class SigningKeyRetiredAnswer(ILogger<SigningKeyRetiredAnswer> logger) : IFailClosedAnswer
{
    public bool Answers(Exception exception) => exception is SigningKeyRetiredException;

    public Task AnswerAsync(HttpContext context, Exception exception) => RefuseAsync(context, logger, (SigningKeyRetiredException)exception);

    /// <summary>Logs the alarm and answers 503 <c>signing_key_retired</c> (also for the proxy, whose transforms YARP runs outside the pipeline's try/catch).</summary>
    public static async Task RefuseAsync(HttpContext context, ILogger logger, SigningKeyRetiredException e)
    {
        Refused(logger, e.Purpose ?? "unknown", e.Message);
        HttpErrorsMiddleware.ClearKeepingHsts(context.Response);
        context.Response.Headers.RetryAfter = "5";
        await Problems.WriteAsync(context, KeywardErrors.SigningKeyRetired).ConfigureAwait(false);
    }

    [LoggerMessage(KeywardEventIds.SharedSigningKeyRetired, LogLevel.Critical, "Refused to sign with a retired shared {Purpose} key: {Reason}")]
    private static partial void Refused(ILogger logger, string purpose, string reason);
}
