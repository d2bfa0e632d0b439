using Keyward.Core.Sessions;
using Keyward.Core.Tickets;
using Microsoft.Extensions.Options;

namespace Keyward.Server.WebSockets;

/// <summary>
/// Every <see cref="WebSocketGateOptions.SweepInterval"/> of real time (so a fake clock cannot stall it), closes
/// sockets whose session is no longer live (absolute or idle expiry, or ended on another node) and sockets past
/// their route's MaxLifetime, all with 4401; times are read from the <see cref="TimeProvider"/>. Once a minute it
/// also deletes long-expired tickets, handoff codes and app sessions.
/// </summary>
internal sealed class LiveSocketSweeper(
    LiveSocketRegistry registry, SessionService sessions, WebSocketTicketService tickets,
    Keyward.Core.Handoffs.HandoffService handoffs, AppSessionService appSessions, IOptions<WebSocketGateOptions> options,
    TimeProvider time, IHostApplicationLifetime lifetime, ILogger<LiveSocketSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);

        // Open sockets would hold the host's shutdown until its timeout; close them as it begins.
        using var stopping = lifetime.ApplicationStopping.Register(() => _ = registry.CloseAllAsync("server shutting down"));
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
                        await tickets.PurgeAsync(stoppingToken).ConfigureAwait(false);
                        await handoffs.PurgeAsync(stoppingToken).ConfigureAwait(false);
                        await appSessions.PurgeAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    WebSocketLog.SweepFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass: lifetime from memory, session state in one read for all sessions with sockets here.</summary>
    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        var live = registry.All.Where(c => !c.IsClosing).ToList();
        if (live.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var connection in live.Where(c => now >= c.ExpiresAt))
        {
            _ = connection.CloseAsync(CloseCodes.Reauthenticate, CloseCodes.ReauthorizationRequired, "lifetime");
        }

        var ids = live.Where(c => c.Identity.Session is not null).Select(c => c.Identity.Session!.Id).Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }

        var checks = await sessions.InspectAsync(ids, cancellationToken).ConfigureAwait(false);
        foreach (var connection in live)
        {
            if (connection.Identity.Session is { } session && checks.TryGetValue(session.Id, out var check) && check.Failure is { } failure)
            {
                _ = connection.CloseAsync(CloseCodes.Reauthenticate, CloseCodes.SessionEnded(failure), "session_ended");
            }
        }
    }
}
