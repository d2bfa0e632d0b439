using Keyward.Core.Support;
using Keyward.Server.Agents;
using Keyward.Server.Http;
using Keyward.Server.Support;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers remote support's technician side (docs/remote-support.md). Safe to call twice.</summary>
internal static class SupportServiceCollectionExtensions
{
    /// <summary>
    /// Adds support sessions, support codes, join tokens and the viewer plane, and binds <see cref="SupportOptions"/>
    /// from <c>Keyward:Support</c> (validated at start). <see cref="IMachinePolicy"/> and <see cref="ISupportRelay"/> are
    /// the relay to the agent (<see cref="AgentRelay"/>) and the machines table (<see cref="MachineTable"/>); the support slice
    /// is added before the agent plane, so its <see cref="IAdHocBinder"/> is the one the agent plane uses.
    /// </summary>
    public static IServiceCollection AddKeywardSupport(this IServiceCollection services)
    {
        services.AddKeywardOptions<SupportOptions>(SupportOptions.Section, o => o.Validate());
        services.TryAddSingleton<SupportSessionService>();
        services.TryAddSingleton<SupportCodeService>();
        services.TryAddSingleton<JoinTokenService>();
        services.TryAddSingleton<IMachinePolicy, MachineTable>();
        services.TryAddSingleton<ISupportRelay, AgentRelay>();
        services.TryAddSingleton<IAdHocBinder, SupportAdHocBinder>();
        services.TryAddSingleton<ConsentBook>();
        services.TryAddSingleton<SupportSessionCloser>();
        services.TryAddSingleton<ViewerRegistry>();
        services.TryAddSingleton<SupportCodeLimiter>();
        services.TryAddSingleton<JoinFailureLimiter>();
        services.TryAddSingleton<SupportCodeBinder>();
        services.TryAddSingleton<SupportDesk>();
        services.TryAddSingleton<ViewerGate>();
        services.TryAddSingleton<SupportSweeper>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SupportSweeper>(sp => sp.GetRequiredService<SupportSweeper>()));
        return services;
    }
}
