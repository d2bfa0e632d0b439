using Keyward.Core.Audit;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Audit;

/// <summary>
/// Signs a tree head at start, every <see cref="AuditOptions.TreeHeadInterval"/> when the log grew, and at shutdown.
/// A failure is logged and retried at the next tick; it never stops the broker.
/// </summary>
internal sealed partial class AuditTreeHeadService(AuditTreeHeads heads, IOptions<AuditOptions> auditOptions, TimeProvider time, ILogger<AuditTreeHeadService> logger) : BackgroundService
{
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await SignAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(auditOptions.Value.TreeHeadInterval, time);
        try
        {
            await SignAsync(stoppingToken).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await SignAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; StopAsync signs the last head.
        }
    }

    private async Task SignAsync(CancellationToken cancellationToken)
    {
        try
        {
            await heads.SignIfGrownAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
        }
    }

    [LoggerMessage(AuditEventIds.TreeHeadFailed, LogLevel.Warning, "Could not sign an audit tree head; will try again at the next interval.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
