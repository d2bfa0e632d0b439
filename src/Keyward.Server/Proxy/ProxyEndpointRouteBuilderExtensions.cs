using Keyward.Core.Audit;
using Keyward.Server.Http;
using Keyward.Server.Proxy;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the proxied routes.</summary>
internal static class ProxyEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every route; a refused request to one is audited as <c>proxy.denied</c> with the route id, and a route with
    /// <c>AllowCrossOriginUnsafe</c> is marked so the same-origin check lets its cross-origin writes through.
    /// </summary>
    public static IEndpointRouteBuilder MapKeywardProxy(this IEndpointRouteBuilder endpoints)
    {
        // Read when YARP builds the endpoints (lazily, after options validation), not while composing.
        var routes = endpoints.ServiceProvider.GetRequiredService<IOptions<ProxyOptions>>();
        endpoints.MapReverseProxy().ConfigureEndpoints((endpoint, route) =>
        {
            endpoint.WithMetadata(new DenialAudit(AuditActions.ProxyDenied, route.RouteId));
            if (routes.Value.Routes.TryGetValue(route.RouteId, out var options) && options.AllowCrossOriginUnsafe)
            {
                endpoint.WithMetadata(CrossOriginUnsafeAllowed.Instance);
            }
        });
        return endpoints;
    }
}
