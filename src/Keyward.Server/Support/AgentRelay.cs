using System.Net.WebSockets;
using Keyward.Core.Support;
using Keyward.Server.Agents;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Support;

/// <summary>
/// The relay between a viewer socket and the agent of its support session (docs/remote-support.md, "The viewer socket"
/// and "Consent and relay"), in named steps: <see cref="WaitForAgentAsync"/> (status <c>waiting_agent</c>; bounded by
/// the session's own life) → consent for an attended session, once per session, agent connection and technician (<see cref="ConsentBook"/>; status
/// <c>waiting_consent</c>) → <see cref="OpenAsync"/> (one stream per viewer, <c>relay.opened</c>; status <c>active</c>)
/// → <see cref="PumpToViewerAsync"/> and <see cref="ReadViewerAsync"/>, both ways, until either side ends
/// (<c>relay.closed</c> with byte counts). Nothing the viewer sends before <c>active</c> is relayed.
/// </summary>
internal sealed partial class AgentRelay(
    AgentDirectory agents, SupportSessionService sessions, ViewerRegistry viewers, ConsentBook consents, SupportSessionCloser closer,
    Keyward.Core.Audit.IAuditLog audit, IOptions<SupportOptions> options, TimeProvider time, ILogger<AgentRelay> logger) : ISupportRelay
{
    /// <summary>Sent while no agent of the session is connected to this node.</summary>
    public const string WaitingAgent = "{\"type\":\"status\",\"state\":\"waiting_agent\"}";

    /// <summary>Sent while the person at the machine is asked.</summary>
    public const string WaitingConsent = "{\"type\":\"status\",\"state\":\"waiting_consent\"}";

    /// <summary>Sent once the stream is open: binary frames flow from here on.</summary>
    public const string Active = "{\"type\":\"status\",\"state\":\"active\"}";

    /// <summary>How long an active session may last before the reaper ends it (a bound, not an idle timeout).</summary>
    public static readonly TimeSpan ActiveLifetime = TimeSpan.FromHours(12);

    public async Task<string> RunAsync(ViewerConnection viewer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var active = new TaskCompletionSource<AgentStream>(TaskCreationOptions.RunContinuationsAsynchronously);
        var record = new RelayRecord();
        // The reader is not cancelled by the serving side ending (a cancelled receive aborts the socket, losing the
        // close frame); it ends when the viewer answers Keyward's close, or when ViewerConnection's close timeout aborts it.
        var reading = ReadViewerAsync(viewer, active.Task, record, cancellationToken);
        var serving = ServeAsync(viewer, active, record, stop.Token);
        var cause = await Task.WhenAny(reading, serving).ConfigureAwait(false) == reading ? await AwaitQuietly(reading).ConfigureAwait(false) : null;

        // Either side ended: stop the other, and close the stream if it was open.
        await stop.CancelAsync().ConfigureAwait(false);
        if (active.Task.IsCompletedSuccessfully)
        {
            await active.Task.Result.CloseAsync(cause ?? "relay ended").ConfigureAwait(false);
        }

        cause ??= await AwaitQuietly(serving).ConfigureAwait(false);
        if (viewer.ClosedBy is null && !reading.IsCompleted)
        {
            // The serving side ended without a reason for the viewer (a fault): close it rather than hold it.
            await viewer.CloseAsync(WebSocketCloseStatus.InternalServerError, "relay failed", "relay_failed").ConfigureAwait(false);
        }

        await AwaitQuietly(reading).ConfigureAwait(false);
        if (record.Opened)
        {
            await RecordClosedAsync(viewer, record, viewer.ClosedBy ?? cause ?? "viewer_left").ConfigureAwait(false);
        }

        await StartIdleIfLastViewerLeftAsync(viewer, record).ConfigureAwait(false);
        return viewer.ClosedBy ?? cause ?? "viewer_left";
    }

    private async Task<string?> ServeAsync(ViewerConnection viewer, TaskCompletionSource<AgentStream> active, RelayRecord record, CancellationToken cancellationToken)
    {
        if (await sessions.FindAsync(viewer.SupportSessionId, viewer.AccountId, cancellationToken).ConfigureAwait(false) is not { IsOpen: true } session)
        {
            await viewer.CloseAsync(ViewerRegistry.SupportSessionEnded, "support session ended", "support_ended").ConfigureAwait(false);
            return "support_ended";
        }

        record.Session = session;
        var link = await WaitForAgentAsync(viewer, session, cancellationToken).ConfigureAwait(false);
        record.AgentFound = true;
        if (session.Attended)
        {
            await viewer.SendTextAsync(WaitingConsent, cancellationToken).ConfigureAwait(false);
            var answer = await consents.AskAsync(link, session, viewer.AccountId, viewer.AccountName).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (answer == ConsentAnswer.Gone)
            {
                return await AgentGoneAsync(link, session).ConfigureAwait(false);
            }

            if (answer != ConsentAnswer.Accepted)
            {
                // The book has ended the session and closed its viewers (4403 / 4408).
                return answer == ConsentAnswer.Denied ? SupportEndReasons.ConsentDenied : SupportEndReasons.ConsentTimeout;
            }
        }

        if (await OpenAsync(viewer, link, session, record, cancellationToken).ConfigureAwait(false) is not { } stream)
        {
            return viewer.ClosedBy;
        }

        active.SetResult(stream);
        await viewer.SendTextAsync(Active, cancellationToken).ConfigureAwait(false);
        return await PumpToViewerAsync(viewer, link, session, stream, record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The live agent of the session (its machine's, or the ad-hoc agent bound with its code), waiting for one while none is connected here.</summary>
    internal async Task<AgentLink> WaitForAgentAsync(ViewerConnection viewer, SupportSession session, CancellationToken cancellationToken)
    {
        var told = false;
        while (true)
        {
            var arrived = new TaskCompletionSource<AgentLink>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnAdded(AgentLink link)
            {
                if (link.Serves(session))
                {
                    arrived.TrySetResult(link);
                }
            }

            agents.Added += OnAdded;
            try
            {
                // Looked up after subscribing, so an agent that connects in between is not missed.
                if ((session.MachineId is { } machine ? agents.Find(machine) : agents.FindAdHoc(session.Id)) is { } found)
                {
                    return found;
                }

                if (!told)
                {
                    await viewer.SendTextAsync(WaitingAgent, cancellationToken).ConfigureAwait(false);
                    told = true;
                }

                var link = await arrived.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!link.IsClosing)
                {
                    return link;
                }
            }
            finally
            {
                agents.Added -= OnAdded;
            }
        }
    }

    /// <summary>Opens the viewer's stream on the agent and records <c>relay.opened</c>; null (the viewer closed with 4504, or gone) when it cannot.</summary>
    internal async Task<AgentStream?> OpenAsync(ViewerConnection viewer, AgentLink link, SupportSession session, RelayRecord record, CancellationToken cancellationToken)
    {
        var opened = await link.OpenStreamAsync(session.Id, viewer.Target, cancellationToken).ConfigureAwait(false);
        if (opened.Refused)
        {
            if (opened.Refusal.Error.Code == Http.KeywardErrors.AgentOffline.Code)
            {
                await AgentGoneAsync(link, session).ConfigureAwait(false);
                return null;
            }

            var error = opened.Refusal.Error.Code;
            var code = error == Http.KeywardErrors.AgentPortNotAllowed.Code ? "port_not_allowed"
                : error == Http.KeywardErrors.AgentStreamLimit.Code ? "stream_limit"
                : "connect_failed";
            await RecordAsync(viewer, session, Keyward.Core.Support.SupportAuditActions.RelayOpened, Keyward.Core.Audit.AuditOutcomes.Denied, new() { ["code"] = code }).ConfigureAwait(false);
            await viewer.CloseAsync(ViewerRegistry.StreamFailed, "open failed", "open_failed:" + code).ConfigureAwait(false);
            return null;
        }

        var stream = opened.Value;
        record.Stream = stream;
        record.Opened = true;
        await sessions.MarkActiveAsync(session.Id, ActiveLifetime, CancellationToken.None).ConfigureAwait(false);
        await RecordAsync(viewer, session, Keyward.Core.Support.SupportAuditActions.RelayOpened, Keyward.Core.Audit.AuditOutcomes.Success, new() { ["stream"] = Describe(viewer.Target) }).ConfigureAwait(false);
        return stream;
    }

    /// <summary>Agent → viewer: each frame the agent sends, as it is sent to the viewer (a slow viewer holds its agent's stream at the budget).</summary>
    internal async Task<string> PumpToViewerAsync(ViewerConnection viewer, AgentLink link, SupportSession session, AgentStream stream, RelayRecord record, CancellationToken cancellationToken)
    {
        while (await stream.ReadAsync(
            async (data, ct) =>
            {
                await viewer.SendBinaryAsync(data, ct).ConfigureAwait(false);
                record.AddToViewer(data.Length);
            },
            cancellationToken).ConfigureAwait(false))
        {
        }

        if (link.IsClosing)
        {
            return await AgentGoneAsync(link, session).ConfigureAwait(false);
        }

        if (stream.Completion.IsCompletedSuccessfully && stream.Completion.Result == AgentLink.EndedAtMachine)
        {
            // The person ended the session (this link serves it: the stream is its own); the sweeper's handler of the
            // same event may get there too, and only the first end counts.
            await closer.EndAsync(session, SupportEndReasons.EndedAtMachine, ViewerRegistry.SupportSessionEnded, SupportEndReasons.EndedAtMachine).ConfigureAwait(false);
            return SupportEndReasons.EndedAtMachine;
        }

        // The machine side of the stream ended, or the session ended (its closer has closed the viewer already).
        await viewer.CloseAsync(WebSocketCloseStatus.NormalClosure, "stream closed", "stream_closed").ConfigureAwait(false);
        return "stream_closed";
    }

    // The agent went away: ends the session (its viewers closed with 4502), or, when its key was revoked or the machine
    // deleted (the link closed with 4401), as machine_revoked with 4410, whichever of the two paths gets there first.
    private async Task<string> AgentGoneAsync(AgentLink link, SupportSession session)
    {
        var (reason, status) = link.CloseStatus == AgentProtocol.KeyRevoked
            ? (SupportEndReasons.MachineRevoked, ViewerRegistry.SupportSessionEnded)
            : (SupportEndReasons.AgentGone, ViewerRegistry.AgentGone);
        await closer.EndAsync(session, reason, status, reason).ConfigureAwait(false);
        return reason;
    }

    private static async Task<string?> AwaitQuietly(Task<string?> task)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Describe(StreamTarget target) => target switch
    {
        StreamTarget.Tcp tcp => "tcp:" + tcp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        StreamTarget.Terminal => "terminal",
        _ => "unknown",
    };
}
