using Keyward.Server.Http;
using Keyward.Server.Keys;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the shared signing keys.</summary>
internal static class KeysServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ClusterSigningKeys"/> (started by the start-up tasks after migration; off on SQLite) and its
    /// refresher, and binds <c>Keyward:SigningKeys</c> (validated at start). Safe to call twice.
    /// </summary>
    public static IServiceCollection AddKeywardSigningKeys(this IServiceCollection services)
    {
        services.AddKeywardOptions<SigningKeysOptions>(SigningKeysOptions.Section, o => o.Validate());
        services.TryAddSingleton<ClusterSigningKeys>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ClusterSigningKeysRefresher>());
        return services;
    }
}
