using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Keyward.Client;

namespace Keyward.Cli.Broker;

/// <summary>
/// The demo's WebSocket step, as a browser page on Keyward's origin does it: ask for a ticket for the <c>echo</c>
/// route, open <c>wss://…/resource/echo?ticket=…</c> with that Origin, exchange a message with the counter's echo
/// through Keyward; after sign-out, wait for Keyward to close the socket with 4401.
/// </summary>
internal sealed class DemoWebSocket(KeywardClient client, string caFile) : IDisposable
{
    public const string Route = "echo";

    private readonly ClientWebSocket _socket = new();
    private Task<(int? Code, string? Reason, long At)>? _closed;

    public async Task<string> OpenAndEchoAsync(string sessionToken, CancellationToken cancellationToken)
    {
        var ticket = (await client.RequestWebSocketTicketAsync(sessionToken, Route, null, cancellationToken).ConfigureAwait(false)).Ticket;
        _socket.Options.SetRequestHeader("Origin", client.Origin);
        _socket.Options.RemoteCertificateValidationCallback = CaTrust.Only(caFile);
        var target = new UriBuilder(client.Http.BaseAddress!) { Scheme = "wss", Path = "/resource/echo", Query = "ticket=" + Uri.EscapeDataString(ticket) }.Uri;
        await _socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);

        const string message = "hello through Keyward";
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[4096];
        var result = await _socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
        var echoed = Encoding.UTF8.GetString(buffer, 0, result.Count);
        if (result.MessageType != WebSocketMessageType.Text || echoed != message)
        {
            throw new InvalidOperationException($"the echo answered {result.MessageType} \"{echoed}\"");
        }

        // From here on a read is pending, so the close frame's arrival time is exact.
        _closed = ReceiveCloseAsync();
        return echoed;
    }

    /// <summary>Waits for Keyward's close after sign-out; returns the code, reason and how long after <paramref name="since"/>.</summary>
    public async Task<(int? Code, string? Reason, TimeSpan After)> WaitClosedAsync(long since)
    {
        var closed = _closed ?? throw new InvalidOperationException("the socket was never opened");
        if (await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false) != closed)
        {
            throw new TimeoutException("Keyward did not close the socket within 5 s of sign-out");
        }

        var (code, reason, at) = await closed.ConfigureAwait(false);
        return (code, reason, Stopwatch.GetElapsedTime(since, at));
    }

    public void Dispose() => _socket.Dispose();

    private async Task<(int? Code, string? Reason, long At)> ReceiveCloseAsync()
    {
        var buffer = new byte[4096];
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                var at = Stopwatch.GetTimestamp();
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                return ((int?)_socket.CloseStatus, _socket.CloseStatusDescription, at);
            }
        }
    }
}
