using Keyward.Core.Agents;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Core.Support;
using Keyward.Server.Agents;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Support;

/// <summary>
/// Keeps support bound to what ended. At once, on this node: a login session ending (logout, revocation, key removal:
/// <see cref="SessionService.Ended"/>) revokes every join token it minted (<c>join.revoked</c>) and closes its viewer
/// sockets with 4401; a support session ending (<see cref="SupportSessionService.Ended"/>) revokes its join tokens and
/// support codes and closes its viewers with 4410. Every <see cref="SupportOptions.ReapInterval"/>: stale support
/// sessions are reaped (<c>support.session_ended</c>, reason <c>expired</c>), viewers whose login session ended on
/// another node are closed, and spent rows past their retention are purged.
/// </summary>
internal sealed class SupportSweeper : BackgroundService
{
    private readonly SessionService _logins;
    private readonly SupportSessionService _sessions;
    private readonly JoinTokenService _joins;
    private readonly SupportCodeService _codes;
    private readonly ViewerRegistry _viewers;
    private readonly IAuditLog _audit;
    private readonly IOptions<SupportOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SupportSweeper> _logger;
    private readonly MachineService _machines;
    private readonly AgentDirectory _agents;
    private readonly SupportSessionCloser _closer;

    public SupportSweeper(
        SessionService logins, SupportSessionService sessions, JoinTokenService joins, SupportCodeService codes, ViewerRegistry viewers,
        IAuditLog audit, IOptions<SupportOptions> options, TimeProvider time, ILogger<SupportSweeper> logger,
        MachineService machines, AgentDirectory agents, SupportSessionCloser closer)
    {
        (_logins, _sessions, _joins, _codes, _viewers, _audit, _options, _time, _logger) = (logins, sessions, joins, codes, viewers, audit, options, time, logger);
        (_machines, _agents, _closer) = (machines, agents, closer);
        logins.Ended += OnLoginEnded;
        sessions.Ended += OnSupportSessionEnded;
        machines.KeyEnded += OnMachineKeyEnded;
        agents.SessionEndedByAgent += OnEndedAtMachine;
    }

    public override void Dispose()
    {
        _logins.Ended -= OnLoginEnded;
        _sessions.Ended -= OnSupportSessionEnded;
        _machines.KeyEnded -= OnMachineKeyEnded;
        _agents.SessionEndedByAgent -= OnEndedAtMachine;
        base.Dispose();
    }

    /// <summary>One sweep: reap, close viewers of login sessions ended elsewhere, purge. For the loop and for tests.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await _sessions.ReapAsync(cancellationToken).ConfigureAwait(false))
        {
            await RecordQuietlyAsync(AuditTrail.For(new Caller("keyward", null), SupportAuditActions.SessionEnded, AuditOutcomes.Success, id.ToString(),
                details: new Dictionary<string, string> { ["reason"] = SupportEndReasons.Expired })).ConfigureAwait(false);
        }

        var logins = _viewers.LoginSessions();
        if (logins.Count > 0)
        {
            foreach (var (id, check) in await _logins.InspectAsync(logins, cancellationToken).ConfigureAwait(false))
            {
                if (!check.IsValid)
                {
                    await RevokeAndCloseAsync(id).ConfigureAwait(false);
                }
            }
        }

        await _joins.PurgeAsync(cancellationToken).ConfigureAwait(false);
        await _codes.PurgeAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.Value.ReapInterval, _time, stoppingToken).ConfigureAwait(false);
                await SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                SupportLog.SweepFailed(_logger, e);
            }
        }

        await _viewers.CloseAllAsync().ConfigureAwait(false);
    }

    private void OnLoginEnded(Guid loginSessionId) => _ = RevokeAndCloseAsync(loginSessionId);

    // A machine's key revoked or the machine deleted: its viewers are closed at once (4410, machine_revoked), and its
    // open support sessions end.
    private void OnMachineKeyEnded(Guid machineId)
    {
        var closing = _viewers.CloseForMachineAsync(machineId);
        _ = EndMachineSessionsAsync(machineId, closing);
    }

    private async Task EndMachineSessionsAsync(Guid machineId, Task closing)
    {
        try
        {
            foreach (var session in (await _sessions.ListOpenAsync(null, Guid.Empty).ConfigureAwait(false)).Where(s => s.MachineId == machineId))
            {
                await _closer.EndAsync(session, SupportEndReasons.MachineRevoked, ViewerRegistry.SupportSessionEnded, SupportEndReasons.MachineRevoked).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SupportLog.SweepFailed(_logger, e);
        }

        await closing.ConfigureAwait(false);
    }

    // The person at the machine ended a support session (the agent's end): only a session that agent serves.
    private void OnEndedAtMachine(AgentLink link, Guid supportSessionId) => _ = EndAtMachineAsync(link, supportSessionId);

    private async Task EndAtMachineAsync(AgentLink link, Guid supportSessionId)
    {
        try
        {
            if (await _sessions.FindAsync(supportSessionId, null).ConfigureAwait(false) is { IsOpen: true } session && link.Serves(session))
            {
                await _closer.EndAsync(session, SupportEndReasons.EndedAtMachine, ViewerRegistry.SupportSessionEnded, SupportEndReasons.EndedAtMachine).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SupportLog.SweepFailed(_logger, e);
        }
    }

    private void OnSupportSessionEnded(Guid supportSessionId) => _ = EndAsync(supportSessionId);

    private async Task RevokeAndCloseAsync(Guid loginSessionId)
    {
        // Close first: the sockets need no database, and the tokens are refused anyway once the login session is ended.
        var closing = _viewers.CloseForLoginSessionAsync(loginSessionId);
        try
        {
            var revoked = await _joins.RevokeForLoginSessionAsync(loginSessionId).ConfigureAwait(false);
            if (revoked > 0)
            {
                await RecordQuietlyAsync(AuditTrail.For(new Caller("keyward", null), SupportAuditActions.JoinRevoked, AuditOutcomes.Success, loginSessionId.ToString(),
                    details: new Dictionary<string, string> { ["reason"] = "login_session_ended", ["count"] = revoked.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SupportLog.SweepFailed(_logger, e);
        }

        await closing.ConfigureAwait(false);
    }

    private async Task EndAsync(Guid supportSessionId)
    {
        var closing = _viewers.CloseForSupportSessionAsync(supportSessionId);

        // An ad-hoc agent serves its one session: when it ends, so does the agent's link (its code is spent).
        var adHoc = _agents.FindAdHoc(supportSessionId);
        if (adHoc is not null)
        {
            adHoc.EndSession(supportSessionId, "support session ended");
            _ = adHoc.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "support session ended");
        }

        try
        {
            // A machine's agent is told too (it dismisses a prompt and closes what it still holds), however the session ended.
            if (adHoc is null && (await _sessions.FindAsync(supportSessionId, null).ConfigureAwait(false))?.MachineId is { } machine && _agents.Find(machine) is { } link)
            {
                link.EndSession(supportSessionId, "support session ended");
            }

            var revoked = await _joins.RevokeForSupportSessionAsync(supportSessionId).ConfigureAwait(false);
            await _codes.RevokeForSessionAsync(supportSessionId).ConfigureAwait(false);
            if (revoked > 0)
            {
                await RecordQuietlyAsync(AuditTrail.For(new Caller("keyward", null), SupportAuditActions.JoinRevoked, AuditOutcomes.Success, supportSessionId.ToString(),
                    details: new Dictionary<string, string> { ["reason"] = "support_ended", ["count"] = revoked.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SupportLog.SweepFailed(_logger, e);
        }

        await closing.ConfigureAwait(false);
    }

    // For records of what already happened (a reap, a revocation): a failure is logged, not thrown.
    private async Task RecordQuietlyAsync(AuditRecord record)
    {
        try
        {
            await _audit.RecordAsync(record).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SupportLog.AuditFailed(_logger, record.Action, e);
        }
    }
}
