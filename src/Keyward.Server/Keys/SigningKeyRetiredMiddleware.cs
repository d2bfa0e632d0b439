using Keyward.Server.Http;

namespace Keyward.Server.Keys;

/// <summary>
/// Turns <see cref="SigningKeyRetiredException"/> from anywhere in the pipeline into 503 problem+json
/// <c>signing_key_retired</c> and logs the alarm (event 3104): the node fails closed rather than sign with a key past
/// its retirement.
/// </summary>
internal sealed partial class SigningKeyRetiredMiddleware(RequestDelegate next, ILogger<SigningKeyRetiredMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (SigningKeyRetiredException e) when (!context.Response.HasStarted)
        {
            await RefuseAsync(context, logger, e).ConfigureAwait(false);
        }
    }

    /// <summary>Logs the alarm and answers 503 <c>signing_key_retired</c> (also for the proxy, whose transforms YARP runs outside this middleware's reach).</summary>
    public static async Task RefuseAsync(HttpContext context, ILogger logger, SigningKeyRetiredException e)
    {
        Refused(logger, e.Purpose ?? "unknown", e.Message);
        context.Response.Clear();
        context.Response.Headers.RetryAfter = "5";
        await Problems.WriteAsync(context, KeywardErrors.SigningKeyRetired).ConfigureAwait(false);
    }

    [LoggerMessage(KeywardEventIds.SharedSigningKeyRetired, LogLevel.Critical, "Refused to sign with a retired shared {Purpose} key: {Reason}")]
    private static partial void Refused(ILogger logger, string purpose, string reason);
}
