using System.Text.Json;
using System.Threading.Channels;
using Keyward.Agent.Streams;

namespace Keyward.Agent.Runtime;

/// <summary><c>open</c>, <c>resize</c>, <c>close</c>, <c>end</c> and stream data: the stream handlers and their lifetimes.</summary>
internal sealed partial class AgentConnection
{
    private async Task<string?> OnOpenAsync(JsonElement message, CancellationToken cancellationToken)
    {
        var id = StreamId(message);
        var session = Text(message, "session");
        var kind = Text(message, "kind") ?? string.Empty;
        if (id is not { } stream || session is null)
        {
            return "open without a stream id or session";
        }

        if (_streams.ContainsKey(stream))
        {
            return "open of a stream id already open";
        }

        // The person's answer is enforced here too, not only by Keyward: a Keyward that is wrong, compromised or reached
        // with a stolen server key still cannot open a stream for a session the person refused or was never asked about.
        if (ConsentRequired && !_accepted.ContainsKey(session))
        {
            return await RefuseOpenAsync(stream, kind, "not_consented", cancellationToken).ConfigureAwait(false);
        }

        AgentStream? opened = null;
        string? code;
        switch (kind)
        {
            case "tcp":
                var port = message.TryGetProperty("port", out var p) && p.TryGetInt32(out var value) ? value : 0;
                var (client, tcpCode) = await TcpForward.OpenAsync(port, _options.AllowedPorts, cancellationToken).ConfigureAwait(false);
                code = tcpCode;
                if (client is not null)
                {
                    var network = client.GetStream();
                    opened = new AgentStream(stream, session, kind, network, network, new DisposeAll(network, client), _options.StreamQueueFrames);
                }

                break;
            case "terminal" when _options.Terminal.Enabled:
                var (cols, rows) = Size(message) is { } size ? size : (80, 24);
                var terminal = await TerminalSession.StartAsync(_options.Terminal, cols, rows, cancellationToken).ConfigureAwait(false);
                code = terminal is null ? "connect_failed" : null;
                if (terminal is not null)
                {
                    opened = new AgentStream(stream, session, kind, terminal.Output, terminal.Input, terminal, _options.StreamQueueFrames) { Terminal = terminal };
                }

                break;
            default:
                code = "unsupported";
                break;
        }

        if (opened is null)
        {
            return await RefuseOpenAsync(stream, kind, code ?? "unsupported", cancellationToken).ConfigureAwait(false);
        }

        _streams[stream] = opened;
        AgentLog.StreamOpened(_logger, stream, kind, session);
        await SendTextAsync(AgentMessages.Opened(stream), cancellationToken).ConfigureAwait(false);
        opened.Start(SendPooledAsync, MachineSideEndedAsync);
        return null;
    }

    private async Task<string?> RefuseOpenAsync(uint stream, string kind, string code, CancellationToken cancellationToken)
    {
        AgentLog.StreamRefused(_logger, stream, kind, code);
        await SendTextAsync(AgentMessages.OpenFailed(stream, code), cancellationToken).ConfigureAwait(false);
        return null;
    }

    // resize: applied to a terminal stream's PTY. Anything else is ignored, never a reason to close (the protocol says an
    // agent that cannot resize ignores it): a stream that is not open (it crossed a close), a TCP stream, a size out of
    // the bounds Keyward itself keeps (1-1000 each) or not numbers.
    private string? OnResize(JsonElement message)
    {
        if (StreamId(message) is not { } id || !_streams.TryGetValue(id, out var stream))
        {
            return null;
        }

        var size = Size(message);
        var why = stream.Terminal is not { } terminal ? "not a terminal"
            : size is not { } wanted ? "size out of bounds"
            : !terminal.Resize(wanted.Cols, wanted.Rows) ? "the PTY could not be sized"
            : null;
        if (why is not null)
        {
            AgentLog.ResizeIgnored(_logger, id, why);
        }

        return null;
    }

    // cols and rows as Keyward bounds them (1-1000 each), or null.
    private static (int Cols, int Rows)? Size(JsonElement message) =>
        message.TryGetProperty("cols", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var cols)
        && message.TryGetProperty("rows", out var r) && r.ValueKind == JsonValueKind.Number && r.TryGetInt32(out var rows)
        && PtyWindow.InBounds(cols, rows)
            ? (cols, rows)
            : null;

    private async Task<string?> OnCloseAsync(JsonElement message)
    {
        if (StreamId(message) is { } id && _streams.TryRemove(id, out var stream))
        {
            await CloseStreamAsync(stream).ConfigureAwait(false);
        }

        return null;
    }

    private async Task<string?> OnEndAsync(JsonElement message)
    {
        var session = Text(message, "session");
        if (session is null)
        {
            return "end without a session";
        }

        _accepted.TryRemove(session, out _);
        foreach (var (request, prompt) in _consents)
        {
            if (prompt.Session == session && _consents.TryRemove(request, out _))
            {
                prompt.Dismiss();
            }
        }

        foreach (var (id, stream) in _streams)
        {
            if (stream.Session == session && _streams.TryRemove(id, out _))
            {
                await CloseStreamAsync(stream).ConfigureAwait(false);
            }
        }

        // An ad-hoc agent serves one support session: its end ends the agent (it closes its socket; no reconnect).
        if (_options.AdHoc is not null)
        {
            _ = StopAsync();
        }

        return null;
    }

    private async Task DeliverAsync(byte[] frame, CancellationToken cancellationToken)
    {
        // Data for a stream that is not open (it just closed, or never opened) is dropped.
        if (_streams.TryGetValue(AgentMessages.ReadStreamId(frame), out var stream))
        {
            await stream.DeliverAsync(frame, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task MachineSideEndedAsync(AgentStream stream)
    {
        if (!_streams.TryRemove(new KeyValuePair<uint, AgentStream>(stream.Id, stream)))
        {
            return;
        }

        await CloseStreamAsync(stream).ConfigureAwait(false);
        try
        {
            await SendTextAsync(AgentMessages.Close(stream.Id), _life.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException or ObjectDisposedException)
        {
            // The connection ended too.
        }
    }

    private async Task CloseStreamAsync(AgentStream stream)
    {
        await stream.DisposeAsync().ConfigureAwait(false);
        AgentLog.StreamClosed(_logger, stream.Id, stream.BytesIn, stream.BytesOut);
    }
}
