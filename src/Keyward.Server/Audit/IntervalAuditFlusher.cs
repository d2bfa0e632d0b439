using Keyward.Core.Audit;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Audit;

/// <summary>
/// What <see cref="RefusalCounter"/> and <see cref="RepeatedRefusals"/> share: when each interval
/// (<see cref="AuditOptions.UnauthenticatedInterval"/>) closes, and at shutdown, take what was counted, write it to the
/// audit log in one batch, and give it back to be written with the next interval when the log cannot be written
/// (an audit outage loses no count). One flush runs at a time.
/// </summary>
internal abstract class IntervalAuditFlusher(IAuditLog audit, IOptions<AuditOptions> options, TimeProvider time) : BackgroundService
{
    private readonly SemaphoreSlim _writing = new(1, 1);

    /// <summary>The audit log the counts are written to.</summary>
    protected IAuditLog Audit { get; } = audit;

    /// <summary>The audit settings (the interval, the bounds).</summary>
    protected AuditOptions Options => options.Value;

    /// <summary>The clock of the interval and of the counts.</summary>
    protected TimeProvider Time { get; } = time;

    /// <summary>Writes what was counted since the last flush, then starts counting afresh.</summary>
    public async Task FlushAsync()
    {
        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            var (records, restore) = Take();
            if (records.Count == 0)
            {
                return;
            }

            try
            {
                await Audit.RecordAllAsync(records, CancellationToken.None).ConfigureAwait(false);
            }
            catch (AuditUnavailableException e)
            {
                ReportUnwritten(records.Count, e);
                restore();
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _writing.Dispose();
        base.Dispose();
    }

    /// <summary>Takes (under the counter's own lock) what was counted: the records to write, and how to give it back.</summary>
    protected abstract (IReadOnlyList<AuditRecord> Records, Action Restore) Take();

    /// <summary>Logs that <paramref name="events"/> records could not be written and were given back.</summary>
    protected abstract void ReportUnwritten(int events, Exception exception);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Options.UnauthenticatedInterval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; StopAsync writes what was counted.
        }
    }
}
