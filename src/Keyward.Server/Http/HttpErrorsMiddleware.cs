using Keyward.Core.Storage;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Keyward.Server.Http;

/// <summary>
/// Every error Keyward itself answers is problem+json with a stable code, including the ones the framework answers
/// without a body: routing's 404 and 405, a body over the limit (413), an unreadable request (400), an unsupported
/// media type (415), the proxy's own failures to reach an upstream (502, 504), and a database that stayed locked past
/// <see cref="StorageOptions.BusyTimeout"/> (503 <c>storage_busy</c>, from <see cref="StorageBusy"/>), and a database that cannot be
/// reached or used at all (503 <c>storage_unavailable</c>, from <see cref="StorageUnavailable"/>: a request whose credential
/// could not be read is refused, never let through). An upstream's own error responses
/// pass through untouched. Keyward's own endpoints also get a small request-body limit
/// (<see cref="KeywardOptions.MaxRequestBodyBytes"/>): their bodies are ceremonies and small JSON, and an unbounded body
/// is memory an anonymous client could take.
/// It is also where the other slices' fail-closed boundaries catch (<see cref="IFailClosedAnswer"/>: a signing key past
/// its retirement, an audit log that cannot record): their clauses wrap this one's, in the order their own middlewares
/// once nested, so every exception is decided as before with one async frame per request instead of three (issue 15).
/// </summary>
internal sealed partial class HttpErrorsMiddleware(RequestDelegate next, IOptions<KeywardOptions> options, IOptions<HstsOptions> hsts, IEnumerable<IFailClosedAnswer> answers, ILogger<HttpErrorsMiddleware> logger)
{
    private readonly IFailClosedAnswer[] _answers = [.. answers];
    private readonly string? _hsts = SecurityHeadersMiddleware.HeaderValueOf(hsts.Value);

    public async Task InvokeAsync(HttpContext context)
    {
        var proxied = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is not null;
        if (!proxied && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.Value.MaxRequestBodyBytes;
        }

        try
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (BadHttpRequestException bad) when (!context.Response.HasStarted)
            {
                // Thrown while reading the body: too large, cut short, or malformed framing. Nothing of it is echoed.
                await Problems.WriteAsync(context, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? KeywardErrors.BodyTooLarge : KeywardErrors.RequestInvalid).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when ((StorageBusy.Is(e) || e is ClusterCountersUnavailableException) && !context.Response.HasStarted)
            {
                // The database stayed locked past Keyward:Storage:BusyTimeout (or the shared guess counters could not be read,
                // so a guessable check is refused rather than made unlimited). Whatever the request had put in the response
                // goes; the provider's message (it can name files and SQL) stays out of it.
                ClearKeepingHsts(context.Response);
                context.Response.Headers.RetryAfter = "5";
                await Problems.WriteAsync(context, KeywardErrors.StorageBusy).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (StorageUnavailable.Describe(e) is { } failure && !context.Response.HasStarted)
            {
                // PostgreSQL down, refusing, shutting down or out of slots; SQLite's file unreadable or full. Fail closed: the
                // session, key or ticket could not be read, so nothing was let through. The log names the failure's kind only
                // (no provider message, no connection string); the client gets the catalogue's text, no stack trace.
                StorageUnavailableLog(logger, failure);
                ClearKeepingHsts(context.Response);
                context.Response.Headers.RetryAfter = "5";
                await Problems.WriteAsync(context, KeywardErrors.StorageUnavailable).ConfigureAwait(false);
                return;
            }

            var response = context.Response;
            if (proxied)
            {
                // An answer YARP cleared without running the response transform (a failure copying the upstream's headers)
                // gets its HSTS back; any other is already settled, or started.
                SecurityHeadersMiddleware.SettleProxiedHsts(response, upstream: null, context.Request.IsHttps ? _hsts : null);
            }

            if (response.StatusCode < 400 || response.HasStarted || response.ContentLength is not null || response.ContentType is not null)
            {
                return;
            }

            // A proxied request's empty error is the upstream's answer unless the proxy itself failed.
            if (proxied && context.Features.Get<IForwarderErrorFeature>() is null)
            {
                return;
            }

            if (ForStatus(response.StatusCode) is { } error)
            {
                await Problems.WriteAsync(context, error).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!context.Response.HasStarted && FailClosedAnswer(e) is { } answer)
        {
            // The slices' fail-closed boundaries (IFailClosedAnswer), around everything above as their own middlewares
            // were: a retired signing key, then an audit log that cannot record.
            await answer.AnswerAsync(context, e).ConfigureAwait(false);
        }
    }

    private IFailClosedAnswer? FailClosedAnswer(Exception exception)
    {
        foreach (var answer in _answers)
        {
            if (answer.Answers(exception))
            {
                return answer;
            }
        }

        return null;
    }

    // Clear() drops every header, also the Strict-Transport-Security that SecurityHeadersMiddleware set before the
    // endpoint ran on an https request (proxied ones too): put it back, so a 503 does not answer an https client without
    // HSTS.
    internal static void ClearKeepingHsts(HttpResponse response)
    {
        var hsts = response.Headers.StrictTransportSecurity;
        response.Clear();
        if (hsts.Count > 0)
        {
            response.Headers.StrictTransportSecurity = hsts;
        }
    }

    [LoggerMessage(KeywardEventIds.StorageUnavailable, LogLevel.Error, "The database could not be reached or used ({Failure}); the request was refused with 503 storage_unavailable.")]
    private static partial void StorageUnavailableLog(ILogger logger, string failure);

    private static KeywardError? ForStatus(int status) => status switch
    {
        400 => KeywardErrors.RequestInvalid,
        404 => KeywardErrors.NotFound,
        405 => KeywardErrors.MethodNotAllowed,
        413 => KeywardErrors.BodyTooLarge,
        415 => KeywardErrors.UnsupportedMediaType,
        502 => KeywardErrors.UpstreamUnavailable,
        504 => KeywardErrors.UpstreamTimeout,
        _ => null,
    };
}
