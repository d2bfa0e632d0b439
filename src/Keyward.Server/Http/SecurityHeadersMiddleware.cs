using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Keyward.Server.Http;

/// <summary>
/// Headers every response needs, whoever writes it. <c>Strict-Transport-Security</c> on every https response, Keyward's
/// own and proxied ones (an upstream's own HSTS header is kept). <c>Cache-Control: no-store</c> on every answer of
/// Keyward's own endpoints unless the endpoint chose its caching (the JWKS): they carry sessions, tokens, invites,
/// tickets, ceremonies or account data, none of which a shared or browser cache may keep. Proxied responses keep the
/// upstream's caching; static files (the sign-in page, the console) match no endpoint: the static-file options in
/// KeywardHost give them <c>no-cache</c>, so a browser revalidates them on every load (their ETag makes that a 304). <c>X-Content-Type-Options:
/// nosniff</c> on every answer of Keyward's own.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, IOptions<HstsOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var hsts = context.Request.IsHttps && options.Value.Enabled;
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<RouteModel>() is not null)
        {
            // YARP appends the upstream's headers to what is already set, so add Keyward's HSTS only when the answer
            // starts, and only if the upstream sent none.
            if (hsts)
            {
                context.Response.OnStarting(static state => AddHstsIfAbsent((HttpContext)state), context);
            }

            return next(context);
        }

        var headers = context.Response.Headers;
        if (hsts)
        {
            headers.StrictTransportSecurity = options.Value.HeaderValue;
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

    private static Task AddHstsIfAbsent(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (headers.StrictTransportSecurity.Count == 0)
        {
            headers.StrictTransportSecurity = context.RequestServices.GetRequiredService<IOptions<HstsOptions>>().Value.HeaderValue;
        }

        return Task.CompletedTask;
    }
}
