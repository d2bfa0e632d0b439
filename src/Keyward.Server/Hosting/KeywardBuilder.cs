namespace Keyward.Server.Hosting;

/// <summary>What <c>services.AddKeyward()</c> returns: the service collection, for slices that extend the broker.</summary>
/// <param name="services">The services.</param>
public sealed class KeywardBuilder(IServiceCollection services)
{
    /// <summary>The services the broker is registered in.</summary>
    public IServiceCollection Services { get; } = services;
}
