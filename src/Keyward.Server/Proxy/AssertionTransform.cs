using Keyward.Server.Assertions;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Keyward.Server.Proxy;

/// <summary>
/// For every proxied request: drop identity headers and the session cookie the client sent, then add
/// <c>Keyward-Assertion</c> for the session and route. On the way back, drop any <c>Set-Cookie</c> for the session
/// cookie: an upstream must not be able to plant or clear Keyward's session in the browser.
/// </summary>
internal sealed class AssertionTransform(AssertionIssuer issuer, KeywardMetrics metrics) : ITransformProvider
{
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
        context.AddRequestTransform(transform =>
        {
            // The proxy request holds a copy of the client's headers. Looking names up in Kestrel's own collection is
            // cheap; enumerating or probing HttpRequestHeaders parses values, so it is touched only to remove.
            var headers = transform.ProxyRequest.Headers;
            var incoming = transform.HttpContext.Request.Headers;
            foreach (var name in IdentityHeaders.Removed)
            {
                if (incoming.ContainsKey(name))
                {
                    headers.Remove(name);
                }
            }

            foreach (var header in incoming)
            {
                if (IdentityHeaders.IsKeyward(header.Key))
                {
                    headers.Remove(header.Key);
                }
            }

            if (incoming.Cookie.Count > 0)
            {
                StripSessionCookie(transform);
            }

            // The route's policy already required a session; without one the request never gets here.
            var session = transform.HttpContext.Features.GetRequiredFeature<SessionFeature>().Session;
            headers.TryAddWithoutValidation(HeaderName, issuer.Issue(session, routeId));
            return ValueTask.CompletedTask;
        });
        context.AddResponseTransform(transform =>
        {
            if (metrics.ProxiedRequests.Enabled)
            {
                metrics.ProxiedRequests.Add(1, new("route", routeId), new("status", transform.HttpContext.Response.StatusCode));
            }

            var headers = transform.HttpContext.Response.Headers;
            var cookies = headers.SetCookie;
            if (cookies.Count > 0 && cookies.Any(IsSessionCookie))
            {
                headers.SetCookie = new([.. cookies.Where(c => !IsSessionCookie(c))]);
            }

            return ValueTask.CompletedTask;
        });
    }

    private static bool IsSessionCookie(string? setCookie) =>
        setCookie is not null && setCookie.TrimStart().StartsWith(SessionAuthenticationDefaults.CookieName + "=", StringComparison.OrdinalIgnoreCase);

    private static void StripSessionCookie(RequestTransformContext transform)
    {
        if (!transform.ProxyRequest.Headers.TryGetValues("Cookie", out var values))
        {
            return;
        }

        var kept = values
            .SelectMany(v => v.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(c => !c.StartsWith(SessionAuthenticationDefaults.CookieName + "=", StringComparison.OrdinalIgnoreCase))
            .ToList();
        transform.ProxyRequest.Headers.Remove("Cookie");
        if (kept.Count > 0)
        {
            transform.ProxyRequest.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", kept));
        }
    }
}
