using Microsoft.Extensions.DependencyInjection;

namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>
/// Applies test registrations after the host registered its own (the last registration wins), which
/// <c>ConfigureTestServices</c> cannot do for a host built with <c>KeywardHost.Build</c> outside WebApplicationFactory.
/// </summary>
internal sealed class OverridingServiceProviderFactory(Action<IServiceCollection> overrides) : IServiceProviderFactory<IServiceCollection>
{
    public IServiceCollection CreateBuilder(IServiceCollection services)
    {
        overrides(services);
        return services;
    }

    public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) =>
        containerBuilder.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
}
