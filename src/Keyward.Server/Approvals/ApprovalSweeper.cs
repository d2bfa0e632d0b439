using Keyward.Core.Audit;
using Keyward.Core.Quorum;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Approvals;

/// <summary>
/// Every <see cref="ApprovalsOptions.SweepInterval"/>, marks pending requests past their lifetime as expired and records
/// <c>approval.expired</c> for each (votes on them are refused from their expiry on, swept or not).
/// </summary>
internal sealed partial class ApprovalSweeper(ApprovalService approvals, IAuditLog audit, IOptions<ApprovalsOptions> options, TimeProvider time, ILogger<ApprovalSweeper> logger)
    : BackgroundService
{
    /// <summary>One sweep; returns the requests it expired. For the loop and for tests.</summary>
    public async Task<IReadOnlyList<Guid>> SweepAsync(CancellationToken cancellationToken)
    {
        var expired = await approvals.ExpireListedAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in expired)
        {
            await audit.RecordAsync(AuditTrail.For(new Caller("keyward", null), ApprovalAuditActions.Expired, AuditOutcomes.Success, id.ToString()), CancellationToken.None).ConfigureAwait(false);
        }

        return expired;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.SweepInterval, time, stoppingToken).ConfigureAwait(false);
                await SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                SweepFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = KeywardEventIds.ApprovalSweepFailed, Level = LogLevel.Warning, Message = "The approvals expiry sweep failed; it runs again at the next interval.")]
    private static partial void SweepFailed(ILogger logger, Exception exception);
}
