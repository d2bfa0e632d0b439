using Keyward.Core.Vault;
using Keyward.Server.Http;
using Keyward.Server.Vault;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the vault plane (docs/vault.md). Safe to call twice.</summary>
internal static class VaultServiceCollectionExtensions
{
    /// <summary>
    /// Adds the vault (opened at start by <see cref="VaultStartup"/>, after storage is migrated) and its plane's gate, and
    /// binds <see cref="VaultOptions"/> from <c>Keyward:Vault</c> (validated at start). Registers no
    /// <c>ICapabilityVerifier</c> and no <see cref="ISensitiveReadApprovals"/>: the capabilities and approvals slices
    /// do; while either is missing, the plane refuses (<c>cap_invalid</c>, <c>approval_required</c>).
    /// </summary>
    public static IServiceCollection AddKeywardVault(this IServiceCollection services)
    {
        services.AddKeywardOptions<VaultOptions>(VaultOptions.Section, o => o.Validate());
        services.TryAddSingleton<VaultPlane>();

        // For the advance_key_epoch applier (approvals slice), which takes the provider from the container.
        services.TryAddSingleton<IKeyEncryptionKeyProvider, VaultPlaneKeys>();
        services.TryAddSingleton<VaultGate>();
        services.TryAddSingleton<VaultActorLimiter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, VaultStartup>());
        return services;
    }
}
