using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Keyward.Cli.Support;

/// <summary>How a viewer socket ended: Keyward's close code and the <c>ended</c> frame's reason (docs/remote-support.md, "The viewer socket").</summary>
internal sealed record ViewerEnd(int? Code, string? Reason)
{
    /// <summary>The machine side of the stream ended, or the viewer itself stopped: a normal end.</summary>
    public bool Normal => Code is null or 1000 || Reason is "stream_closed";

    /// <summary>A sentence for people.</summary>
    public string Describe() => Reason switch
    {
        "stream_closed" => "The machine side closed the stream.",
        "consent_denied" => "The person at the machine refused; the support session is over.",
        "consent_timeout" => "The person at the machine did not answer in time; the support session is over.",
        "support_ended" => "The support session ended (by its technician, an admin, the person at the machine, or it expired).",
        "session_ended" => "Your sign-in ended (logout or revocation): sign in again with keyward login.",
        "agent_gone" => "The machine's agent disconnected; the support session is over.",
        "protocol_violation" => "Keyward closed the viewer: it did not understand what this viewer sent (1008).",
        "message_too_big" => "Keyward closed the viewer: a message was over its limit (1009).",
        "shutdown" => "Keyward is stopping.",
        { } r when r.StartsWith("open_failed:", StringComparison.Ordinal) => r["open_failed:".Length..] switch
        {
            "port_not_allowed" => "The agent refused the port: it is not in its --allow-port list.",
            "connect_failed" => "The agent could not connect to that port on its machine (nothing listening?).",
            "unsupported" => "The agent does not offer this kind of stream (terminals off?).",
            "stream_limit" => "The agent has too many open streams.",
            var code => $"The agent could not open the stream ({code}).",
        },
        _ => $"Keyward closed the viewer ({Code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no code"}{(Reason is null ? string.Empty : ", " + Reason)}).",
    };
}

/// <summary>
/// One viewer socket: one stream on the machine's agent. Waits through Keyward's <c>status</c> frames until
/// <c>active</c>, then pipes bytes both ways until either side ends. Sends nothing before <c>active</c>.
/// </summary>
internal sealed class ViewerSocket : IAsyncDisposable
{
    private const int MaxText = 16 * 1024;
    private const int MaxChunk = 32 * 1024;

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _send = new(1, 1);

    private ViewerSocket(ClientWebSocket socket) => _socket = socket;

    /// <summary>Opens the socket with <paramref name="joinToken"/> as Bearer; a refused upgrade is an <see cref="InvalidOperationException"/> that says why.</summary>
    public static async Task<ViewerSocket> ConnectAsync(Uri uri, string joinToken, HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + joinToken);
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
        try
        {
            await socket.ConnectAsync(uri, invoker, cancellationToken).ConfigureAwait(false);
            return new ViewerSocket(socket);
        }
        catch (WebSocketException) when (socket.HttpStatusCode != 0)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw new InvalidOperationException(Refused(status));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // The .NET WebSocket client does not expose a refused upgrade's body, so the problem's code is told by its status
    // (docs/remote-support.md, the viewer plane's checks).
    private static string Refused(HttpStatusCode status) => "Refused: " + ((int)status) + " " + status switch
    {
        HttpStatusCode.Unauthorized => "the join token was refused (join_token_*): your sign-in may have ended (keyward login), or the token was revoked.",
        HttpStatusCode.Forbidden => "join_wrong_session: the join token is for another support session.",
        HttpStatusCode.Conflict => "support_session_ended: the support session is over (keyward support list).",
        HttpStatusCode.TooManyRequests => "viewer_limit: too many viewers on this session or sockets for your account; close one and retry.",
        HttpStatusCode.BadRequest => "request_invalid: Keyward did not accept the viewer's target (port 1-65535, terminal size 1-1000).",
        HttpStatusCode.NotFound => "this Keyward has no viewer plane (/viewer/v1): is it older than the client?",
        _ => "the viewer socket was refused.",
    };

    /// <summary>
    /// Runs the stream: <paramref name="status"/> sees each state before <c>active</c>; from <c>active</c> on, bytes from
    /// Keyward go to <paramref name="write"/> and what <paramref name="read"/> returns goes to Keyward. When
    /// <paramref name="read"/> returns 0 (the local side ended) the socket is closed, or, with
    /// <paramref name="onLocalEnd"/>, those bytes are sent and the viewer waits for the machine side to end.
    /// <paramref name="onActive"/> runs once the stream is active (a terminal sends its size there).
    /// </summary>
    public async Task<ViewerEnd> RunAsync(
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write,
        Func<Memory<byte>, CancellationToken, ValueTask<int>> read,
        Action<string> status,
        ReadOnlyMemory<byte>? onLocalEnd,
        Func<Task>? onActive,
        CancellationToken cancellationToken)
    {
        using var life = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        using var stop = cancellationToken.Register(() =>
        {
            _ = CloseQuietlyAsync();
            abort.CancelAfter(TimeSpan.FromSeconds(5));
        });
        Task? sender = null;
        string? reason = null;
        var text = new byte[MaxText];
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, abort.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    if (sender is not null)
                    {
                        await write(buffer.AsMemory(0, result.Count), abort.Token).ConfigureAwait(false);
                    }

                    continue;
                }

                var length = result.Count;
                Array.Copy(buffer, text, Math.Min(length, MaxText));
                while (!result.EndOfMessage)
                {
                    result = await _socket.ReceiveAsync(buffer, abort.Token).ConfigureAwait(false);
                    if (length + result.Count <= MaxText)
                    {
                        Array.Copy(buffer, 0, text, length, result.Count);
                    }

                    length += result.Count;
                }

                if (length > MaxText)
                {
                    continue;
                }

                var (type, state, ended) = ParseText(text.AsSpan(0, length));
                if (type == "ended")
                {
                    reason = ended;
                }
                else if (type == "status" && state == "active")
                {
                    if (sender is null)
                    {
                        if (onActive is not null)
                        {
                            await onActive().ConfigureAwait(false);
                        }

                        sender = SendLoopAsync(read, onLocalEnd, life.Token);
                    }
                }
                else if (type == "status" && state is not null)
                {
                    status(state);
                }
            }

            if (_socket.State == WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The socket broke, or the viewer was stopped and Keyward did not answer in time.
        }
        finally
        {
            await life.CancelAsync().ConfigureAwait(false);
        }

        if (cancellationToken.IsCancellationRequested && _socket.CloseStatus is null)
        {
            return new ViewerEnd(null, null);
        }

        var code = (int?)_socket.CloseStatus;
        return new ViewerEnd(code, reason ?? ReasonOf(code) ?? _socket.CloseStatusDescription);
    }

    // Keyward sends an ended frame before it closes; its close code alone says the same (docs/remote-support.md).
    private static string? ReasonOf(int? code) => code switch
    {
        4401 => "session_ended",
        4403 => "consent_denied",
        4408 => "consent_timeout",
        4410 => "support_ended",
        4502 => "agent_gone",
        1009 => "message_too_big",
        1008 => "protocol_violation",
        _ => null,
    };

    /// <summary>Sends a terminal resize (ignored by Keyward on a TCP stream).</summary>
    public Task ResizeAsync(int cols, int rows, CancellationToken cancellationToken) =>
        SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"resize\",\"cols\":{cols},\"rows\":{rows}}}"), WebSocketMessageType.Text, cancellationToken);

    private async Task SendLoopAsync(Func<Memory<byte>, CancellationToken, ValueTask<int>> read, ReadOnlyMemory<byte>? onLocalEnd, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxChunk];
        try
        {
            while (true)
            {
                var count = await read(buffer, cancellationToken).ConfigureAwait(false);
                if (count == 0)
                {
                    break;
                }

                await SendAsync(buffer.AsMemory(0, count), WebSocketMessageType.Binary, cancellationToken).ConfigureAwait(false);
            }

            if (onLocalEnd is { } last)
            {
                await SendAsync(last, WebSocketMessageType.Binary, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await CloseQuietlyAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The socket or the local side ended; the receive loop reports why.
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(data, type, true, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task CloseQuietlyAsync()
    {
        try
        {
            await _send.WaitAsync().ConfigureAwait(false);
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                }
            }
            finally
            {
                _send.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    private static (string? Type, string? State, string? Reason) ParseText(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null, null);
            }

            static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return (Text(root, "type"), Text(root, "state"), Text(root, "reason"));
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _send.Dispose();
        return ValueTask.CompletedTask;
    }
}
