using System.Net.WebSockets;
using Keyward.Core.Audit;
using Keyward.Core.Support;
using Keyward.Server.Agents;
using Keyward.Server.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Support;

/// <summary>
/// Ends a support session because of something that happened on the relay (consent denied or timed out, the person at
/// the machine ended it, the agent went away, the machine's key was revoked, the last viewer left): its viewers are
/// closed first with the close code that says why (docs/remote-support.md, "The viewer socket"), the agent is told
/// (<c>end</c>), the end is recorded (<c>support.session_ended</c> with the reason), then the row is ended, which revokes
/// its join tokens and code (<see cref="SupportSweeper"/>). Only the first end of a session counts.
/// </summary>
internal sealed class SupportSessionCloser(SupportSessionService sessions, ViewerRegistry viewers, AgentDirectory agents, IAuditLog audit, ILogger<SupportSessionCloser> logger)
{
    /// <summary>Closes the session's viewers with <paramref name="status"/> and <paramref name="cause"/>, then ends it with <paramref name="reason"/>.</summary>
    public async Task EndAsync(SupportSession session, string reason, WebSocketCloseStatus status, string cause)
    {
        ArgumentNullException.ThrowIfNull(session);
        var closing = viewers.CloseForSupportSessionAsync(session.Id, status, cause);
        var link = session.MachineId is { } machine ? agents.Find(machine) : agents.FindAdHoc(session.Id);
        link?.EndSession(session.Id, reason);
        try
        {
            if (await sessions.EndAsync(session.Id, reason, CancellationToken.None).ConfigureAwait(false))
            {
                await audit.RecordAsync(
                    AuditTrail.For(new Caller("keyward", null), SupportAuditActions.SessionEnded, AuditOutcomes.Success, session.Id.ToString(), details: new Dictionary<string, string> { ["reason"] = reason }),
                    CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The viewers are closed either way; the end is retried by the reaper.
            SupportLog.AuditFailed(logger, SupportAuditActions.SessionEnded, e);
        }

        await closing.ConfigureAwait(false);
    }
}
