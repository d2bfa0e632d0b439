using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;

namespace Keyward.Server.Http;

/// <summary>
/// Headers every response needs, whoever writes it. <c>Strict-Transport-Security</c> on every https response, Keyward's
/// own and proxied ones (on a route with its own host an upstream's own HSTS header is kept, on Keyward's host never:
/// <see cref="SettleProxiedHsts"/>). <c>Cache-Control: no-store</c> on every answer of
/// Keyward's own endpoints unless the endpoint chose its caching (the JWKS): they carry sessions, tokens, invites,
/// tickets, ceremonies or account data, none of which a shared or browser cache may keep. Proxied responses keep the
/// upstream's caching; static files (the sign-in page, the console) match no endpoint: the static-file options in
/// KeywardHost give them <c>no-cache</c>, so a browser revalidates them on every load (their ETag makes that a 304). <c>X-Content-Type-Options:
/// nosniff</c> on every answer of Keyward's own.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, IOptions<HstsOptions> options)
{
    // The options are read once (IOptions): the header value is made once, not per request.
    private readonly string? _hsts = HeaderValueOf(options.Value);

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (_hsts is not null && context.Request.IsHttps)
        {
            // Before anything answers, proxied requests included; for a proxied answer the response transform
            // (SettleProxiedHsts) then puts an upstream's own header in place of this one. Set here rather than by
            // Response.OnStarting, a callback per proxied request (issue 15).
            headers.StrictTransportSecurity = _hsts;
        }

        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<RouteModel>() is not null)
        {
            return next(context);
        }

        if (endpoint is not null)
        {
            // Set before the endpoint runs, so one that chooses its own caching (the JWKS) overwrites it.
            headers.CacheControl = "no-store";
        }

        // Keyward's answers are JSON written without HTML escaping (KeywardJson): never let a browser sniff one as HTML.
        headers.XContentTypeOptions = "nosniff";

        return next(context);
    }

    /// <summary>The value <see cref="InvokeAsync"/> sets on an https request; null when HSTS is off.</summary>
    public static string? HeaderValueOf(HstsOptions options) => options.Enabled ? options.HeaderValue : null;

    /// <summary>
    /// Settles a proxied answer's HSTS once its headers are in place (YARP's response transform, which also runs on YARP's
    /// own error answers, and <see cref="HttpErrorsMiddleware"/> after it, with no upstream answer). On a route with its
    /// own host the upstream's own <c>Strict-Transport-Security</c>, when it sent one, is put in place of Keyward's (YARP
    /// does not copy it over one the proxy set before forwarding, dotnet/yarp#2269): that host is the upstream's. On
    /// Keyward's own host (a path route, <paramref name="onKeywardsHost"/>) Keyward's is set whatever the upstream sent: an
    /// upstream must not turn HSTS off (<c>max-age=0</c>) or widen it for Keyward's origin. An answer YARP cleared before
    /// its error status gets Keyward's back. <paramref name="hsts"/> is the value <see cref="InvokeAsync"/> set on this request (null
    /// over plain http or with HSTS off: then nothing is touched, and YARP copies the upstream's as it is).
    /// </summary>
    public static void SettleProxiedHsts(HttpResponse response, HttpResponseMessage? upstream, string? hsts, bool onKeywardsHost = false)
    {
        if (hsts is null || response.HasStarted)
        {
            return;
        }

        var headers = response.Headers;
        if (onKeywardsHost)
        {
            headers.StrictTransportSecurity = hsts;
        }
        else if (upstream is not null && upstream.Headers.NonValidated.TryGetValues(HeaderNames.StrictTransportSecurity, out var own))
        {
            headers.StrictTransportSecurity = own.Count == 1 ? new StringValues(own.ToString()) : new StringValues([.. own]);
        }
        else if (headers.StrictTransportSecurity.Count == 0)
        {
            headers.StrictTransportSecurity = hsts;
        }
    }
}
