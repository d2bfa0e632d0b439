using Keyward.Server.Http;
using Keyward.Server.Proxy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the authenticated proxy: routes from <c>Keyward:Routes</c>, their policies, upstream TLS, the assertion transform.</summary>
internal static class ProxyServiceCollectionExtensions
{
    /// <summary>Adds YARP with Keyward's routes (their policies are registered with the other planes', in Hosting). Safe to call twice.</summary>
    public static IServiceCollection AddKeywardProxy(this IServiceCollection services)
    {
        services.AddKeywardOptions<ProxyOptions>(ProxyOptions.Section, o => o.Validate());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<ProxyOptions>, RouteHostValidator>());
        services.TryAddSingleton<KeywardHosts>();
        if (services.Any(d => d.ServiceType == typeof(ProxyRoutes)))
        {
            return services;
        }

        services.AddSingleton<ProxyRoutes>();
        services.AddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<ProxyRoutes>());
        services.TryAddSingleton<IForwarderHttpClientFactory, UpstreamHttpClientFactory>();
        services.AddReverseProxy();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransformProvider, AssertionTransform>());
        return services;
    }
}
