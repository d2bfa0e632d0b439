using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Keyward.Client;

namespace Keyward.Testing.Hosting;

public sealed partial class KeywardTestClient
{
    /// <summary>POST /api/auth/ws-ticket from a page at <paramref name="origin"/> (Keyward's own by default; null sends none).</summary>
    public Task<KeywardResponse> RequestTicketAsync(TestSession session, string route, string? origin = "") =>
        SendAsync(HttpMethod.Post, KeywardPaths.WebSocketTicket, new JsonObject { ["route"] = route }, session?.Token, origin: origin == string.Empty ? Origin : origin);

    /// <summary>A ticket (which must be issued) for <paramref name="route"/>, from a page at <paramref name="origin"/> (Keyward's own by default).</summary>
    public async Task<string> TicketAsync(TestSession session, string route, string? origin = "")
    {
        ArgumentNullException.ThrowIfNull(session);
        return (await Client.RequestWebSocketTicketAsync(session.Token, route, origin == string.Empty ? null : origin)).Ticket;
    }

    /// <summary>
    /// A WebSocket handshake sent as a plain HTTP/1.1 request, so a refusal's status and problem+json body can be
    /// read. Returns 101 with an empty body when the upgrade was accepted.
    /// </summary>
    public async Task<KeywardResponse> ProbeUpgradeAsync(string pathAndQuery, string? origin = "", Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin == string.Empty ? Origin : origin);
        }

        configure?.Invoke(request);

        // Headers only: after a 101 the body is the upgraded connection, which never ends.
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = response.StatusCode == HttpStatusCode.SwitchingProtocols ? string.Empty : await response.Content.ReadAsStringAsync();
        var result = new KeywardResponse(HttpMethod.Get, pathAndQuery, response, text);
        _seen.Enqueue(result);
        return result;
    }

    /// <summary>Opens a socket at <paramref name="pathAndQuery"/> as a page at <paramref name="origin"/> would (Keyward's own by default; null sends none); the refusal's status when refused.</summary>
    public async Task<(ClientWebSocket? Socket, int Status)> TryOpenAsync(string pathAndQuery, string? origin = "", Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin == string.Empty ? Origin : origin);
        }

        Endpoint.ConfigureWebSocket(socket.Options);
        configure?.Invoke(socket.Options);
        try
        {
            await socket.ConnectAsync(new Uri(Endpoint.WebSocketBase, pathAndQuery), CancellationToken.None);
            return (socket, 101);
        }
        catch (WebSocketException)
        {
            var status = (int)socket.HttpStatusCode;
            socket.Dispose();
            return (null, status);
        }
    }
}
