using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Audit;

/// <summary>
/// Drains the <see cref="AuditSpool"/> into the audit log: once at start, before the broker takes requests (so a
/// spool left by a crash or an outage comes before the new run's events), then every
/// <see cref="AuditOptions.SpoolDrainInterval"/> while it holds events. A failure is logged and tried again at the next
/// tick; it never stops the broker.
/// </summary>
internal sealed partial class AuditSpoolService(
    AuditSpool spool, IAuditLog audit, KeywardDatabase database, IOptions<AuditOptions> auditOptions, TimeProvider time, KeywardMetrics metrics,
    ILogger<AuditSpoolService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(auditOptions.Value.SpoolDrainInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await DrainAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; what is left in the spool is drained at the next start.
        }
    }

    /// <summary>Drains the spool if it holds events; returns how many were appended (0 when the log is still unavailable).</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        if (spool.IsEmpty)
        {
            return 0;
        }

        try
        {
            var appended = await spool.DrainAsync(audit, database, cancellationToken).ConfigureAwait(false);
            metrics.SpooledEvents.Add(appended, new KeyValuePair<string, object?>("outcome", "drained"));
            return appended;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDrainFailed(logger, e);
            return 0;
        }
    }

    [LoggerMessage(AuditEventIds.SpoolDrainFailed, LogLevel.Warning, "Could not drain the audit spool into the audit log yet; will try again at the next interval.")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception);
}
