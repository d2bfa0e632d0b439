using Keyward.Core.Accounts;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Proxy;

/// <summary>
/// GET /api/admin/routes: the configured routes, read-only, for the console's routes page. Admin role, no step-up (it
/// changes nothing). The answer names files only as "configured" flags and drops any user information, query or
/// fragment from the upstream address, so nothing that could be a credential leaves the configuration.
/// </summary>
internal static class RouteAdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/admin/routes", List).RequireAuthorization(AuthorizationPolicies.Admin).Produces<List<RouteListItem>>();

    private static IResult List(HttpContext context, IOptions<ProxyOptions> proxy)
    {
        List<RouteListItem> items = [.. proxy.Value.Routes.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => Describe(r.Key, r.Value))];
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(items, ProxyJsonContext.Relaxed.ListRouteListItem);
    }

    internal static RouteListItem Describe(string id, RouteOptions route)
    {
        var ws = route.WebSocket;
        return new RouteListItem(
            id,
            route.Host?.ToLowerInvariant(),
            route.EffectivePath,
            PublicAddress(route.Upstream),
            route.UpstreamCaFile is not null,
            route.ClientCertificateFile is not null,
            new RoutePolicyItem(route.Role, route.Role is { } role ? [role] : [Roles.Admin, Roles.User], route.RequireUserVerification),
            new RouteWebSocketItem(
                ws.Enabled, [.. ws.AllowedOrigins.Select(o => WebOrigin.Normalize(o) ?? o)], ws.AllowSessionCookie, ws.MaxClientMessageBytes,
                ws.MaxUpstreamMessageBytes, ws.MaxMessagesPerSecond, (long)ws.MaxLifetime.TotalSeconds),
            [.. route.StripRequestHeaders],
            route.AllowCrossOriginUnsafe,
            route.Internal);
    }

    // An upstream such as https://user:password@host/base?key=… would carry a credential: keep scheme, host, port and path.
    private static string PublicAddress(string upstream)
    {
        if (!Uri.TryCreate(upstream, UriKind.Absolute, out var uri))
        {
            return string.Empty;
        }

        return new UriBuilder(uri.Scheme, uri.Host, uri.Port, uri.AbsolutePath).Uri.ToString();
    }
}
