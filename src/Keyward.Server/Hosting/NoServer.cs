using Microsoft.AspNetCore.Hosting.Server;

namespace Keyward.Server.Hosting;

/// <summary>A server that never listens, for a broker built only to check its configuration (<see cref="KeywardHost.BuildForCheck"/>).</summary>
internal sealed class NoServer : IServer
{
    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull => throw new InvalidOperationException("A broker built to check its configuration is never started.");

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
