using Keyward.Core.Capabilities;
using Keyward.Core.Quorum;
using Keyward.Server.Capabilities;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers actors, scopes and capability tokens (docs/capabilities.md). Called once, by <c>AddKeyward</c>.</summary>
internal static class CapabilitiesServiceCollectionExtensions
{
    /// <summary>
    /// Adds service identities, scopes and their approval appliers (grant, widen), the capability key store, issuer and
    /// the real <see cref="ICapabilityVerifier"/>, the actor plane's scheme and policy, and binds
    /// <see cref="CapabilityOptions"/> from <c>Keyward:Capabilities</c> (validated at start).
    /// </summary>
    public static IServiceCollection AddKeywardCapabilities(this IServiceCollection services)
    {
        services.AddKeywardOptions<CapabilityOptions>(CapabilityOptions.Section, o => o.Validate());
        services.TryAddSingleton<ServiceIdentityService>();
        services.TryAddSingleton<ScopeService>();
        services.TryAddSingleton<CapabilityKeyStore>();
        services.TryAddSingleton<CapabilityIssuer>();
        services.TryAddSingleton<MintLimiter>();
        services.TryAddSingleton<ICapabilityVerifier, CapabilityVerifier>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IApprovalApplier, GrantScopeApplier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IApprovalApplier, WidenScopeApplier>());

        // Scopes are granted through the quorum: the approvals slice (AddKeywardApprovals) registers ApprovalService.
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ActorAuthenticationHandler>(ActorAuthenticationDefaults.Scheme, null);
        services.AddLogging(logging => logging.AddFilter(typeof(ActorAuthenticationHandler).FullName, level => level >= LogLevel.Warning));
        services.AddOptions<AuthorizationOptions>().Configure(authorization =>
            // Only the actor scheme runs for /actor/v1: a session, agent key or capability is never even looked at as one.
            authorization.AddPolicy(ActorAuthenticationDefaults.Policy, p => p.AddAuthenticationSchemes(ActorAuthenticationDefaults.Scheme).RequireAuthenticatedUser()));
        return services;
    }
}
