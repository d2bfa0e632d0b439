using Microsoft.Extensions.Options;

namespace Keyward.Server.Http;

/// <summary>
/// Starts <see cref="MetricsListener"/>'s meter listener when Keyward starts, before Kestrel serves: a measurement made
/// while nobody listens is lost, so it cannot wait for the first scrape. A hosted service, not a read during the build,
/// so that an invalid <c>Metrics:Listen</c> is reported with every other problem by start-up validation.
/// </summary>
internal sealed class MetricsListenerStart(IOptions<MetricsOptions> options, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            services.GetRequiredService<MetricsListener>();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
