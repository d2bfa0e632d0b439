using Keyward.Core.Tickets;
using Keyward.Server.Http;
using Keyward.Server.WebSockets;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the WebSocket gate (docs/websockets.md). Safe to call twice.</summary>
internal static class WebSocketGateServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gate's services and binds <see cref="WebSocketGateOptions"/> from <c>Keyward:WebSockets</c>
    /// (validated at start). The gate needs an <see cref="Keyward.Core.Audit.IAuditLog"/> registered.
    /// </summary>
    public static IServiceCollection AddKeywardWebSockets(this IServiceCollection services)
    {
        services.AddKeywardOptions<WebSocketGateOptions>(WebSocketGateOptions.Section, o => o.Validate());

        services.TryAddSingleton<WebSocketTicketService>();
        services.TryAddSingleton<InternalCredential>();
        services.TryAddSingleton<ChildProcessLauncher>();
        services.TryAddSingleton<LiveSocketRegistry>();
        services.TryAddSingleton<UpstreamConnector>();
        services.TryAddSingleton<UpgradeAuthorizer>();
        services.TryAddSingleton<WebSocketGate>();
        services.TryAddSingleton<TicketIssuer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LiveSocketSweeper>());
        return services;
    }
}
