using Keyward.Core.Agents;
using Keyward.Server.Agents;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the agent plane (docs/remote-support.md). Called once, by <c>AddKeyward</c>.</summary>
internal static class AgentsServiceCollectionExtensions
{
    /// <summary>
    /// Adds enrollment, machines, the per-node directory of live agents and its sweeper, the agent plane's scheme and
    /// its two policies (<see cref="AuthorizationPolicies.AgentKey"/>, <see cref="AuthorizationPolicies.AgentEnroll"/>),
    /// and binds <see cref="AgentOptions"/> from <c>Keyward:Agents</c> (validated at start).
    /// </summary>
    public static IServiceCollection AddKeywardAgents(this IServiceCollection services)
    {
        services.AddKeywardOptions<AgentOptions>(AgentOptions.Section, o => o.Validate());
        services.TryAddSingleton<EnrollmentService>();
        services.TryAddSingleton<MachineService>();
        services.TryAddSingleton<AgentDirectory>();
        services.TryAddSingleton<AgentReplacementGuard>();
        services.TryAddSingleton<EnrollLimiter>();
        services.TryAddSingleton<IAdHocBinder, NoAdHocBinder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AgentSweeper>());
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AgentAuthenticationHandler>(AgentAuthenticationDefaults.Scheme, null);

        // The framework writes "…was challenged" at Information for every refusal; Keyward records refusals itself.
        services.AddLogging(logging => logging.AddFilter(typeof(AgentAuthenticationHandler).FullName, level => level >= LogLevel.Warning));
        services.AddOptions<AuthorizationOptions>().Configure(authorization =>
        {
            // Only the agent scheme runs for these: a session, ticket or join token is never even looked at as one.
            authorization.AddPolicy(AuthorizationPolicies.AgentKey, p => p.AddAuthenticationSchemes(AgentAuthenticationDefaults.Scheme).RequireAuthenticatedUser()
                .RequireClaim(AgentAuthenticationDefaults.CredentialClaim, Keyward.Core.Credentials.SecretToken.Prefix(Keyward.Core.Credentials.CredentialKind.Agent), AgentAuthenticationDefaults.SupportCodeCredential));
            authorization.AddPolicy(AuthorizationPolicies.AgentEnroll, p => p.AddAuthenticationSchemes(AgentAuthenticationDefaults.Scheme).RequireAuthenticatedUser()
                .RequireClaim(AgentAuthenticationDefaults.CredentialClaim, Keyward.Core.Credentials.SecretToken.Prefix(Keyward.Core.Credentials.CredentialKind.Enroll)));
        });
        return services;
    }
}
