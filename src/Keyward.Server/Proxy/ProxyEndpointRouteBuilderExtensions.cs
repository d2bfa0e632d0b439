using Keyward.Core.Audit;
using Keyward.Server.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the proxied routes.</summary>
internal static class ProxyEndpointRouteBuilderExtensions
{
    /// <summary>Maps every route; a refused request to one is audited as <c>proxy.denied</c> with the route id.</summary>
    public static IEndpointRouteBuilder MapKeywardProxy(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapReverseProxy().ConfigureEndpoints((endpoint, route) => endpoint.WithMetadata(new DenialAudit(AuditActions.ProxyDenied, route.RouteId)));
        return endpoints;
    }
}
