using Keyward.Server.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace Keyward.Server.Proxy;

/// <summary>
/// Turns <c>Keyward:Routes</c> into YARP routes and clusters, when YARP first asks (while the endpoints are mapped, so an
/// invalid route is reported then, by the options validation).
/// Every route requires its Keyward policy.
/// </summary>
internal sealed class ProxyRoutes(IOptions<ProxyOptions> options) : IProxyConfigProvider
{
    public const string RouteIdMetadata = "keyward.route";

    /// <summary>The order of browser routes: before Keyward's endpoints (0), after its app-host endpoints (<c>/.keyward/*</c>).</summary>
    public const int BrowserRouteOrder = -1;

    private readonly Lazy<IProxyConfig> _config = new(() => Build(options.Value));

    public IProxyConfig GetConfig() => _config.Value;

    private static Config Build(ProxyOptions options)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var (id, route) in options.Routes)
        {
            routes.Add(new RouteConfig
            {
                RouteId = id,
                ClusterId = id,
                // A browser route owns its host: it is ordered before Keyward's own endpoints, so on its host even
                // /api/... reaches the upstream (the host gate keeps every route and endpoint to its own host).
                Match = new RouteMatch { Path = route.EffectivePath, Hosts = route.Host is { } host ? [host.ToLowerInvariant()] : null },
                Order = route.Host is null ? null : BrowserRouteOrder,
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

        return new Config(routes, clusters);
    }

    // Routes come from configuration read once at start; they never change while Keyward runs.
    private sealed class Config(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        public IReadOnlyList<RouteConfig> Routes { get; } = routes;

        public IReadOnlyList<ClusterConfig> Clusters { get; } = clusters;

        public IChangeToken ChangeToken { get; } = new CancellationChangeToken(CancellationToken.None);
    }
}
