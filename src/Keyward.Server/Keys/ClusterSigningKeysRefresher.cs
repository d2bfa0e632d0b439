using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Keys;

/// <summary>
/// Reads the shared signing keys every <see cref="SigningKeysOptions.RefreshInterval"/> (rotating them when due). A
/// failure is logged and retried at the next tick; until then the node keeps the keys it has.
/// </summary>
internal sealed partial class ClusterSigningKeysRefresher(ClusterSigningKeys keys, IOptions<SigningKeysOptions> options, TimeProvider time, ILogger<ClusterSigningKeysRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!keys.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await keys.RefreshAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    RefreshFailed(logger, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    // The exception's type only: a key-opening failure's message names no secret, but a driver's might carry a connection string.
    [LoggerMessage(KeywardEventIds.SharedSigningKeysRefreshFailed, LogLevel.Warning, "Could not read the shared signing keys ({Error}); keeping the current ones and trying again at the next interval.")]
    private static partial void RefreshFailed(ILogger logger, string error);
}
