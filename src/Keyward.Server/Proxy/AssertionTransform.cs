using Keyward.Server.Assertions;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Keyward.Server.Proxy;

/// <summary>
/// For every proxied request: drop identity headers (<see cref="HeaderDenylist"/>) and Keyward's cookies (<see cref="KeywardCookies"/>) the client
/// sent, then add <c>Keyward-Assertion</c> for the session and route. On the way back, drop any <c>Set-Cookie</c> in
/// Keyward's cookie namespace: an upstream must not be able to plant or clear Keyward's cookies in the browser; and settle
/// the answer's <c>Strict-Transport-Security</c> (<see cref="SecurityHeadersMiddleware.SettleProxiedHsts"/>).
/// </summary>
internal sealed class AssertionTransform(AssertionIssuer issuer, KeywardMetrics metrics, IOptions<ProxyOptions> options, IOptions<HstsOptions> hstsOptions, ILogger<AssertionTransform> logger) : ITransformProvider
{
    // The HSTS value SecurityHeadersMiddleware set before forwarding (null when HSTS is off).
    private readonly string? _hsts = SecurityHeadersMiddleware.HeaderValueOf(hstsOptions.Value);

    public const string HeaderName = "Keyward-Assertion";

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        var routeId = context.Route.RouteId;
        var denylist = options.Value.Routes.TryGetValue(routeId, out var route) ? HeaderDenylist.For(route.StripRequestHeaders) : HeaderDenylist.Default;

        // Only a route on a host of its own may set that host's HSTS; a path route answers on Keyward's own host.
        var upstreamOwnsHsts = route?.Host is { Length: > 0 };

        // Keyward owns the X-Forwarded headers: the strip below removes every client-sent X-Forwarded-*, and only then
        // YARP's transforms set For, Proto, Host and Prefix (Set, never Append), so a client's value never survives.
        context.UseDefaultForwarders = false;
        context.AddRequestTransform(transform =>
        {
            // The proxy request holds a copy of the client's headers. Kestrel's own collection is walked once (its names
            // are cheap to read); HttpRequestHeaders parses values when enumerated, so it is touched only to remove.
            var headers = transform.ProxyRequest.Headers;
            var incoming = transform.HttpContext.Request.Headers;
            foreach (var header in incoming)
            {
                if (denylist.Matches(header.Key))
                {
                    headers.Remove(header.Key);
                }
            }

            var cookie = incoming.Cookie;
            if (cookie.Count > 0 && KeywardCookies.HasKeywardCookie(cookie))
            {
                headers.Remove("Cookie");
                if (KeywardCookies.WithoutKeywardCookies(cookie) is { } kept)
                {
                    headers.TryAddWithoutValidation("Cookie", kept);
                }
            }

            // The route's policy already required a session; without one the request never gets here.
            var session = transform.HttpContext.Features.GetRequiredFeature<SessionFeature>().Session;
            string assertion;
            try
            {
                assertion = issuer.Issue(session, routeId);
            }
            catch (Keys.SigningKeyRetiredException e)
            {
                // Fail closed with the clear code, not YARP's 502: a request transform that answers is not forwarded.
                return new ValueTask(Keys.SigningKeyRetiredAnswer.RefuseAsync(transform.HttpContext, logger, e));
            }

            headers.TryAddWithoutValidation(HeaderName, assertion);
            return ValueTask.CompletedTask;
        });
        context.AddXForwarded(ForwardedTransformActions.Set);
        context.AddResponseTransform(transform =>
        {
            if (metrics.ProxiedRequests.Enabled)
            {
                metrics.ProxiedRequests.Add(1, new("route", routeId), new("status", transform.HttpContext.Response.StatusCode));
            }

            // Keyward's HSTS was set before forwarding; on a route with its own host an upstream's own replaces it, and an
            // answer YARP cleared gets it back.
            var context = transform.HttpContext;
            SecurityHeadersMiddleware.SettleProxiedHsts(context.Response, transform.ProxyResponse, context.Request.IsHttps ? _hsts : null, onKeywardsHost: !upstreamOwnsHsts);

            var headers = context.Response.Headers;
            var cookies = headers.SetCookie;
            if (cookies.Count > 0 && KeywardCookies.TryRemoveRefused(cookies, out var kept))
            {
                headers.SetCookie = kept;
            }

            return ValueTask.CompletedTask;
        });
    }
}
