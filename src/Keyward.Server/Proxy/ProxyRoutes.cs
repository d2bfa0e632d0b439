using Keyward.Server.Authentication;
using Keyward.Server.Hosting;
using Yarp.ReverseProxy.Configuration;

namespace Keyward.Server.Proxy;

/// <summary>Turns <c>Keyward:Routes</c> into YARP routes and clusters. Every route requires its Keyward policy.</summary>
internal static class ProxyRoutes
{
    public const string RouteIdMetadata = "keyward.route";

    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters) Build(KeywardOptions options)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var (id, route) in options.Routes)
        {
            routes.Add(new RouteConfig
            {
                RouteId = id,
                ClusterId = id,
                Match = new RouteMatch { Path = route.Path },
                AuthorizationPolicy = AuthorizationPolicies.Route(id),
                Metadata = new Dictionary<string, string> { [RouteIdMetadata] = id },
            });
            clusters.Add(new ClusterConfig
            {
                ClusterId = id,
                Destinations = new Dictionary<string, DestinationConfig> { ["upstream"] = new() { Address = route.Upstream } },
                Metadata = new Dictionary<string, string> { [RouteIdMetadata] = id },
            });
        }

        return (routes, clusters);
    }
}
