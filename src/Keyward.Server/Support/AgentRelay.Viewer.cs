using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Keyward.Core.Audit;
using Keyward.Core.Support;
using Keyward.Server.Agents;
using Keyward.Server.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Support;

internal sealed partial class AgentRelay
{
    /// <summary>
    /// Viewer → agent. Reads the viewer for as long as it is open: binary frames go to the stream once it is
    /// <c>active</c> (dropped before), at <see cref="SupportOptions.ViewerInputBytesPerSecond"/>; a text frame may only
    /// be <c>resize</c> (1008 otherwise), and is charged to the same limit; a message over <see cref="SupportOptions.MaxViewerMessageBytes"/> closes with 1009.
    /// Returns why it stopped.
    /// </summary>
    internal async Task<string?> ReadViewerAsync(ViewerConnection viewer, Task<AgentStream> active, RelayRecord record, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxViewerMessageBytes;
        var bucket = new InputBucket(options.Value.ViewerInputBytesPerSecond, time);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(max, 16 * 1024));
        var text = new ArrayBufferWriter<byte>();
        try
        {
            var size = 0;
            while (true)
            {
                if (await viewer.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false) is not { } received || received.MessageType == WebSocketMessageType.Close)
                {
                    return viewer.ClosedBy ?? "viewer_left";
                }

                size += received.Count;
                if (size > max)
                {
                    await viewer.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", "message_too_big").ConfigureAwait(false);
                    return "message_too_big";
                }

                if (received.MessageType == WebSocketMessageType.Text)
                {
                    text.Write(buffer.AsSpan(0, received.Count));
                    if (received.EndOfMessage)
                    {
                        // Text (resize) is input too: each one costs the agent an ioctl and the shell a SIGWINCH.
                        await bucket.TakeAsync(text.WrittenCount, cancellationToken).ConfigureAwait(false);
                        var ok = await HandleTextAsync(text.WrittenMemory, active).ConfigureAwait(false);
                        text.Clear();
                        if (!ok)
                        {
                            await viewer.CloseAsync(WebSocketCloseStatus.PolicyViolation, "protocol violation", "protocol_violation").ConfigureAwait(false);
                            return "protocol_violation";
                        }
                    }
                }
                else if (active.IsCompletedSuccessfully && received.Count > 0)
                {
                    await bucket.TakeAsync(received.Count, cancellationToken).ConfigureAwait(false);
                    if (!await active.Result.WriteAsync(buffer.AsMemory(0, received.Count), cancellationToken).ConfigureAwait(false))
                    {
                        // The stream ended; the pump toward the viewer closes it.
                        return null;
                    }
                }

                if (received.EndOfMessage)
                {
                    size = 0;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // {"type":"resize","cols":C,"rows":R}: to the agent on a terminal stream that is active; ignored otherwise.
    private static async Task<bool> HandleTextAsync(ReadOnlyMemory<byte> json, Task<AgentStream> active)
    {
        int cols, rows;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "resize"
                || !root.TryGetProperty("cols", out var c) || c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out cols) || cols is < 1 or > 1000
                || !root.TryGetProperty("rows", out var r) || r.ValueKind != JsonValueKind.Number || !r.TryGetInt32(out rows) || rows is < 1 or > 1000)
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (active.IsCompletedSuccessfully)
        {
            await active.Result.ResizeAsync(cols, rows).ConfigureAwait(false);
        }

        return true;
    }

    // The technician's side leaves when no viewer has been there for IdleLifetime: the last viewer leaving a session
    // that was relayed (or an ad-hoc session whose agent has bound) starts that clock, and the reaper ends the session
    // when it runs out (reason expired) unless a viewer joins first. A forward is many short connections (ssh, scp, a
    // reconnect), so ending the session with each would make `keyward connect` single-use. A session whose viewer left
    // while it still waited (for the agent, or for consent) keeps its pending bound.
    private async Task StartIdleIfLastViewerLeftAsync(ViewerConnection viewer, RelayRecord record)
    {
        if (viewer.ClosedBy is not null || record.Session is not { } session || viewers.CountFor(session.Id) > 1)
        {
            return;
        }

        if ((session.MachineId is null && record.AgentFound) || record.Opened)
        {
            await sessions.IdleAsync(session.Id, options.Value.IdleLifetime, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task RecordClosedAsync(ViewerConnection viewer, RelayRecord record, string cause)
    {
        var toAgent = record.BytesToAgent;
        var toViewer = record.BytesToViewer;
        try
        {
            await sessions.AddBytesAsync(viewer.SupportSessionId, toAgent, toViewer, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SupportLog.AuditFailed(logger, SupportAuditActions.RelayClosed, e);
        }

        await RecordAsync(viewer, record.Session!, SupportAuditActions.RelayClosed, AuditOutcomes.Success, new()
        {
            ["reason"] = cause,
            ["bytes_to_agent"] = toAgent.ToString(CultureInfo.InvariantCulture),
            ["bytes_to_viewer"] = toViewer.ToString(CultureInfo.InvariantCulture),
            ["peak_queued_bytes"] = (record.Stream?.PeakQueuedBytes ?? 0).ToString(CultureInfo.InvariantCulture),
        }).ConfigureAwait(false);
    }

    private async Task RecordAsync(ViewerConnection viewer, SupportSession session, string action, string outcome, Dictionary<string, string> details)
    {
        details["viewer_id"] = viewer.Id.ToString();
        details["machine_id"] = session.MachineId?.ToString() ?? "ad-hoc";
        try
        {
            await audit.RecordAsync(AuditTrail.For(new Caller(viewer.AccountName, null), action, outcome, session.Id.ToString(), details: details), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SupportLog.AuditFailed(logger, action, e);
        }
    }
}
