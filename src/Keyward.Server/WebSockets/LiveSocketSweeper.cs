using Keyward.Core.Sessions;
using Keyward.Core.Tickets;
using Keyward.Server.Http;
using Keyward.Server.Proxy;
using Microsoft.Extensions.Options;

namespace Keyward.Server.WebSockets;

/// <summary>
/// Every <see cref="WebSocketGateOptions.SweepInterval"/> of real time (so a fake clock cannot stall it), closes
/// sockets whose session is no longer live (absolute or idle expiry, or ended on another node) and sockets past
/// their route's MaxLifetime (a backstop: the gate arms a timer per socket for it), all with 4401; times are read
/// from the <see cref="TimeProvider"/>. A live session is also
/// held to its socket's route again: a session that no longer meets the route's role or user-verification requirement
/// is closed with 4403, one whose account is no longer the one the socket was opened for (renamed) with 4401. Once a minute it
/// also deletes long-expired tickets, handoff codes and app sessions.
/// </summary>
internal sealed class LiveSocketSweeper(
    LiveSocketRegistry registry, SessionService sessions, WebSocketTicketService tickets,
    Keyward.Core.Handoffs.HandoffService handoffs, AppSessionService appSessions, IOptions<WebSocketGateOptions> options, IOptions<ProxyOptions> proxy,
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
            if (connection.Identity.Session is not { } opened || !checks.TryGetValue(opened.Id, out var check))
            {
                continue;
            }

            if (check.Failure is { } failure)
            {
                _ = connection.CloseAsync(CloseCodes.Reauthenticate, CloseCodes.SessionEnded(failure), "session_ended");
            }
            else if (check.Session is { } current)
            {
                RecheckRoute(connection, opened, current);
            }
        }
    }

    /// <summary>The route's policy against the session as it is now; the identity the upstream was told against the account's.</summary>
    private void RecheckRoute(RelayConnection connection, SessionInfo opened, SessionInfo current)
    {
        if (current.AccountId != opened.AccountId || !string.Equals(current.AccountName, opened.AccountName, StringComparison.Ordinal))
        {
            _ = connection.CloseAsync(CloseCodes.Reauthenticate, CloseCodes.AccountChanged, "account_changed");
            return;
        }

        // A route removed from the configuration is refused like a route whose policy fails: nothing allows the socket now.
        var refused = proxy.Value.Routes.TryGetValue(connection.Identity.RouteId, out var route)
            ? SessionRequirement.Check(current, route.RequireUserVerification, route.Role)
            : KeywardErrors.RouteUnknown;
        if (refused is not null)
        {
            _ = connection.CloseAsync(CloseCodes.Forbidden, CloseCodes.RouteRequirementsNotMet(refused.Code), "route_requirements");
        }
    }
}
