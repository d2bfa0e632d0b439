using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text.Json;
using Keyward.Server.WebSockets;

namespace Keyward.Server.Agents;

internal sealed partial class AgentLink
{
    /// <summary>Runs the link until it ends: <c>hello</c>, then every frame the agent sends, watched by the heartbeat timer.</summary>
    public async Task RunAsync(CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _abort.Token);
        var period = TimeSpan.FromSeconds(_options.HeartbeatSeconds);
        using var watchdog = _time.CreateTimer(_ => CheckHeartbeat(), null, period, period);
        try
        {
            try
            {
                var hello = Message(w =>
                {
                    w.WriteString("type", "hello");
                    w.WriteString("machine_id", Machine.Id);
                    w.WriteString("label", Machine.Label);
                    w.WriteNumber("heartbeat_seconds", _options.HeartbeatSeconds);
                });
                await _socket.SendAsync(hello, WebSocketMessageType.Text, endOfMessage: true, linked.Token).ConfigureAwait(false);
                Interlocked.Add(ref _bytesToAgent, hello.Length);
            }
            finally
            {
                _send.Release();
            }

            _ = RecordSeenAsync();
            await ReceiveAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // The socket went away (or was dropped after a close that the agent never answered).
        }
        finally
        {
            Interlocked.Exchange(ref _closing, 1);
            EndEverything(CloseReason ?? "agent disconnected");
            _socket.Abort();
            _socket.Dispose();
            _abort.Dispose();
            _ended.TrySetResult();
        }
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var limit = Math.Max(_options.MaxFrameBytes, AgentProtocol.MaxTextBytes);
        var small = new byte[512];
        while (true)
        {
            // Idle agents wait on a small buffer; a larger frame moves to a pooled one of the frame limit.
            var first = await _socket.ReceiveAsync(small.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (first.MessageType == WebSocketMessageType.Close)
            {
                await AnswerCloseAsync().ConfigureAwait(false);
                return;
            }

            Heard();
            var buffer = small;
            var count = first.Count;
            var type = first.MessageType;
            var end = first.EndOfMessage;
            if (!end)
            {
                buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
                small.AsSpan(0, count).CopyTo(buffer);
            }

            try
            {
                while (!end)
                {
                    var max = type == WebSocketMessageType.Text ? AgentProtocol.MaxTextBytes : _options.MaxFrameBytes;
                    if (count > max)
                    {
                        break;
                    }

                    var next = await _socket.ReceiveAsync(buffer.AsMemory(count, Math.Min(limit + 1, buffer.Length) - count), cancellationToken).ConfigureAwait(false);
                    if (next.MessageType == WebSocketMessageType.Close)
                    {
                        await AnswerCloseAsync().ConfigureAwait(false);
                        return;
                    }

                    count += next.Count;
                    end = next.EndOfMessage;
                }

                Interlocked.Add(ref _bytesFromAgent, count);
                var bound = type == WebSocketMessageType.Text ? AgentProtocol.MaxTextBytes : _options.MaxFrameBytes;
                if (count > bound)
                {
                    await CloseAsync(AgentProtocol.TooBig, "frame too large").ConfigureAwait(false);
                    await DrainUntilClosedAsync(small, cancellationToken).ConfigureAwait(false);
                    return;
                }

                var ok = type == WebSocketMessageType.Text
                    ? HandleText(buffer.AsSpan(0, count))
                    : await HandleBinaryAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
                if (!ok)
                {
                    AgentLog.ProtocolViolation(_logger, Machine.Id);
                    await CloseAsync(AgentProtocol.Violation, "protocol violation").ConfigureAwait(false);
                    await DrainUntilClosedAsync(small, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
            finally
            {
                if (!ReferenceEquals(buffer, small))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
    }

    // After Keyward's close frame: whatever the agent still sends is discarded until its close frame arrives (or the
    // close timeout drops the socket), so the close frame is read rather than lost in a reset.
    private async Task DrainUntilClosedAsync(byte[] scratch, CancellationToken cancellationToken)
    {
        while ((await _socket.ReceiveAsync(scratch.AsMemory(), cancellationToken).ConfigureAwait(false)).MessageType != WebSocketMessageType.Close)
        {
        }
    }

    // A binary frame: 4-byte big-endian stream id, then data for that stream. Data for a stream that has ended here is
    // dropped (it crossed the close); a stream id Keyward never assigned is a violation.
    private async ValueTask<bool> HandleBinaryAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (frame.Length < AgentProtocol.StreamHeaderBytes)
        {
            return false;
        }

        var id = BinaryPrimitives.ReadUInt32BigEndian(frame.Span);
        if (id == 0 || id > (uint)Volatile.Read(ref _nextStream))
        {
            return false;
        }

        if (!_streams.TryGetValue(id, out var stream))
        {
            return true;
        }

        var payload = frame[AgentProtocol.StreamHeaderBytes..];
        var copy = ArrayPool<byte>.Shared.Rent(Math.Max(payload.Length, 1));
        payload.CopyTo(copy);
        var message = new RelayMessage(copy, payload.Length, WebSocketMessageType.Binary);

        // A full queue holds the reader here (backpressure); the heartbeat watchdog knows the silence is ours.
        _heldBack = true;
        try
        {
            if (!await stream.AcceptAsync(message, cancellationToken).ConfigureAwait(false))
            {
                message.Return();
            }
        }
        catch
        {
            message.Return();
            throw;
        }
        finally
        {
            _heldBack = false;
        }

        return true;
    }

    private bool HandleText(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            switch (type.GetString())
            {
                case "heartbeat":
                    RecordSeen();
                    return true;
                case "consent_result":
                    if (!root.TryGetProperty("request", out var request) || !request.TryGetGuid(out var requestId)
                        || !root.TryGetProperty("accepted", out var accepted) || accepted.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        return false;
                    }

                    // An answer to a request that has ended (timed out) or was never made changes nothing.
                    if (_consents.TryGetValue(requestId, out var pending))
                    {
                        pending.Answer.TrySetResult(accepted.GetBoolean() ? ConsentAnswer.Accepted : ConsentAnswer.Denied);
                    }

                    return true;
                case "opened":
                    return Stream(root) is { } opened && Answer(opened, null);
                case "open_failed":
                    return Stream(root) is { } failed && root.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                        && Answer(failed, code.GetString() is { Length: > 0 and <= 64 } text ? text : "failed");
                case "close":
                    if (Stream(root) is not { } closed)
                    {
                        return false;
                    }

                    if (_streams.TryGetValue(closed, out var ended))
                    {
                        ended.End("closed by the agent");
                    }

                    return true;
                case "end":
                    if (!root.TryGetProperty("session", out var session) || !session.TryGetGuid(out var sessionId))
                    {
                        return false;
                    }

                    return EndedByAgent(sessionId);
                default:
                    return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // The agent knows only the sessions Keyward named to it on this link (in consent or open; an ad-hoc link its one
    // session): an end naming another is a violation, decided without the database, so a flood of ends costs no
    // lookups. Each session's end is raised once; a repeat changes nothing.
    private bool EndedByAgent(Guid sessionId)
    {
        if (!_namedSessions.Contains(sessionId))
        {
            return false;
        }

        if (_endedByAgent.TryAdd(sessionId))
        {
            EndLocally(sessionId, EndedAtMachine, ConsentAnswer.Denied);
            SessionEndedByAgent?.Invoke(sessionId);
        }

        return true;
    }

    private uint? Stream(JsonElement root) =>
        root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.Number && stream.TryGetUInt32(out var id) && id > 0 && id <= (uint)Volatile.Read(ref _nextStream)
            ? id : null;

    private bool Answer(uint id, string? code)
    {
        if (_streams.TryGetValue(id, out var stream))
        {
            stream.Answer(code);
        }

        return true;
    }

    private async Task AnswerCloseAsync()
    {
        if (Interlocked.CompareExchange(ref _closing, 1, 0) == 0)
        {
            CloseStatus = _socket.CloseStatus;
            CloseReason = _socket.CloseStatusDescription is { Length: > 0 } said ? "agent closed: " + said : "agent closed";
            EndEverything(CloseReason);
            try
            {
                // A sender stuck past the timeout keeps the semaphore: the socket is dropped without a close frame then.
                if (await _send.WaitAsync(CloseTimeout).ConfigureAwait(false))
                {
                    try
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                    }
                    finally
                    {
                        _send.Release();
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
            {
                // Gone already.
            }
        }
    }

    private void EndEverything(string reason)
    {
        foreach (var stream in _streams.Values)
        {
            stream.End(reason);
        }

        foreach (var consent in _consents.Values)
        {
            consent.Answer.TrySetResult(ConsentAnswer.Gone);
        }
    }

    private void Heard() => Interlocked.Exchange(ref _lastHeard, _time.GetUtcNow().ToUnixTimeMilliseconds());

    // Three heartbeat intervals without a frame closes the link, unless Keyward itself stopped reading (backpressure).
    private void CheckHeartbeat()
    {
        var silent = _time.GetUtcNow().ToUnixTimeMilliseconds() - Interlocked.Read(ref _lastHeard);
        if (!_heldBack && !IsClosing && silent >= _options.HeartbeatSeconds * 1000L * AgentProtocol.MissedHeartbeats)
        {
            _ = CloseAsync(AgentProtocol.HeartbeatMissed, "heartbeat missed");
        }
    }

    // Last seen is written at most once per MachineService.LastSeenInterval per link (and the database throttles again).
    private void RecordSeen()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var last = Interlocked.Read(ref _lastRecorded);
        if (now - last < (long)Keyward.Core.Agents.MachineService.LastSeenInterval.TotalMilliseconds || Interlocked.CompareExchange(ref _lastRecorded, now, last) != last)
        {
            return;
        }

        _ = RecordSeenAsync();
    }

    private async Task RecordSeenAsync()
    {
        if (AdHocSessionId is not null)
        {
            // No machine row behind an ad-hoc agent.
            return;
        }

        try
        {
            await _machines.RecordSeenAsync(Machine.Id, Version, null).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Informational only: a failed write is logged and the link goes on.
            AgentLog.LastSeenFailed(_logger, Machine.Id, e);
        }
    }
}
