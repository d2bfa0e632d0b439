using Keyward.Core.Cluster;
using Keyward.Core.Storage;
using Keyward.Server.Cluster;
using Keyward.Server.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers cluster-wide revocation (docs/architecture.md, "Several nodes"). Called once, by <c>AddKeyward</c>.</summary>
internal static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Adds the revocation bus (enabled on PostgreSQL; on SQLite it publishes nothing and trusts the caches), its
    /// listener, and binds <see cref="ClusterOptions"/> from <c>Keyward:Cluster</c> (validated at start).
    /// </summary>
    public static IServiceCollection AddKeywardCluster(this IServiceCollection services)
    {
        services.AddKeywardOptions<ClusterOptions>(ClusterOptions.Section, o => o.Validate());
        services.TryAddSingleton(sp => new RevocationBus(sp.GetRequiredService<KeywardDatabase>()));
        services.TryAddSingleton<RevocationListener>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RevocationListener>(sp => sp.GetRequiredService<RevocationListener>()));
        return services;
    }
}
