using Keyward.Core.Agents;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Agents;

/// <summary>
/// Every <see cref="AgentOptions.SweepInterval"/> of real time, asks the key store which connected agents' keys no longer
/// work (revoked or deleted on another node) and closes them with 4401. Once a minute it also deletes long-expired
/// enroll tokens. Closes every agent when the host begins to stop.
/// </summary>
internal sealed class AgentSweeper(
    AgentDirectory directory, MachineService machines, EnrollmentService enrollment, IOptions<AgentOptions> options,
    IHostApplicationLifetime lifetime, ILogger<AgentSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        using var stopping = lifetime.ApplicationStopping.Register(() => _ = directory.CloseAllAsync("server shutting down"));
        var lastPurge = TimeProvider.System.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await SweepAsync(stoppingToken).ConfigureAwait(false);
                    if (TimeProvider.System.GetElapsedTime(lastPurge) >= PurgeInterval)
                    {
                        lastPurge = TimeProvider.System.GetTimestamp();
                        await enrollment.PurgeAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    AgentLog.SweepFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass: one read for every machine with an agent here.</summary>
    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        // An ad-hoc link has no machine row (the support slice closes it when its session ends).
        var live = directory.All.Where(l => !l.IsClosing && l.AdHocSessionId is null).Select(l => l.Machine.Id).ToList();
        if (live.Count == 0)
        {
            return;
        }

        // Not awaited one by one: a close may wait seconds for a stuck agent, and the next sweep must not.
        foreach (var ended in await machines.EndedAsync(live, cancellationToken).ConfigureAwait(false))
        {
            _ = directory.CloseRevokedAsync(ended);
        }
    }
}
