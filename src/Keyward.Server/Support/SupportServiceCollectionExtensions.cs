using Keyward.Core.Support;
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
    /// registered with <c>TryAdd</c>: the agent plane replaces them.
    /// </summary>
    public static IServiceCollection AddKeywardSupport(this IServiceCollection services)
    {
        services.AddKeywardOptions<SupportOptions>(SupportOptions.Section, o => o.Validate());
        services.TryAddSingleton<SupportSessionService>();
        services.TryAddSingleton<SupportCodeService>();
        services.TryAddSingleton<JoinTokenService>();
        services.TryAddSingleton<IMachinePolicy, NoMachines>();
        services.TryAddSingleton<ISupportRelay, WaitingRelay>();
        services.TryAddSingleton<ViewerRegistry>();
        services.TryAddSingleton<SupportCodeLimiter>();
        services.TryAddSingleton<SupportCodeBinder>();
        services.TryAddSingleton<SupportDesk>();
        services.TryAddSingleton<ViewerGate>();
        services.TryAddSingleton<SupportSweeper>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SupportSweeper>(sp => sp.GetRequiredService<SupportSweeper>()));
        return services;
    }
}
