using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Testing.Hosting;

/// <summary>
/// Applies test registrations after the host registered its own (the last registration wins), which
/// <c>ConfigureTestServices</c> cannot do for a host built with <c>KeywardHost.Build</c> outside WebApplicationFactory.
/// </summary>
public sealed class OverridingServiceProviderFactory(Action<IServiceCollection> overrides) : IServiceProviderFactory<IServiceCollection>
{
    public IServiceCollection CreateBuilder(IServiceCollection services)
    {
        overrides(services);
        return services;
    }

    public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) =>
        containerBuilder.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
}
