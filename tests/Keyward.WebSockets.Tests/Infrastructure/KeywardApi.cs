using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Authenticator;

namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>
/// Drives Keyward's HTTP API the way the sign-in page does, with a virtual security key, and opens sockets through
/// it. Every response body it saw is kept (for the "secret in no response" scans).
/// </summary>
internal sealed class KeywardApi : IDisposable
{
    private readonly IKeywardEndpoint _server;
    private readonly HttpClient _http;

    public KeywardApi(IKeywardEndpoint server, VirtualAuthenticator? key = null)
    {
        _server = server;
        Key = key ?? VirtualAuthenticator.Create();
        var handler = new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false };
        if (server.Https)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = Trust(server.CaFile);
        }

        _http = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public VirtualAuthenticator Key { get; }

    public List<string> Bodies { get; } = [];

    public string AccountName { get; set; } = "admin";

    public async Task RegisterAdminAsync(string setupCode, string username = "admin")
    {
        var begin = await SendAsync(HttpMethod.Post, "/api/register/begin", new JsonObject { ["setup_code"] = setupCode, ["username"] = username, ["key_name"] = "primary" });
        begin.EnsureOk();
        var credential = Key.MakeCredential(begin.Json.GetProperty("public_key").GetRawText(), _server.Origin);
        var finish = await SendAsync(HttpMethod.Post, "/api/register/finish", new JsonObject
        {
            ["ceremony_id"] = begin.Json.GetProperty("ceremony_id").GetString(),
            ["credential"] = JsonNode.Parse(credential),
            ["setup_code"] = setupCode,
        });
        finish.EnsureOk();
        AccountName = username;
    }

    /// <summary>Signs in with the key; returns the session token and id.</summary>
    public async Task<TestSession> LoginAsync()
    {
        var begin = await SendAsync(HttpMethod.Post, "/session/login/begin", new JsonObject { ["username"] = AccountName });
        begin.EnsureOk();
        var credential = Key.GetAssertion(begin.Json.GetProperty("public_key").GetRawText(), _server.Origin);
        var finish = await SendAsync(HttpMethod.Post, "/session/login/finish", new JsonObject
        {
            ["ceremony_id"] = begin.Json.GetProperty("ceremony_id").GetString(),
            ["credential"] = JsonNode.Parse(credential),
        });
        finish.EnsureOk();
        var token = finish.Json.GetProperty("session_token").GetString()!;
        var status = await SendAsync(HttpMethod.Post, "/session/status", new JsonObject(), token);
        status.EnsureOk();
        return new TestSession(token, status.Json.GetProperty("session_id").GetGuid());
    }

    public Task<ApiResult> LogoutAsync(TestSession session) => SendAsync(HttpMethod.Post, "/session/logout", new JsonObject(), session.Token);

    public Task<ApiResult> RevokeAsync(TestSession from, Guid sessionId) => SendAsync(HttpMethod.Delete, $"/session/{sessionId}", null, from.Token);

    /// <summary>POST /api/auth/ws-ticket from a page at <paramref name="origin"/> (Keyward's own by default; null sends none).</summary>
    public Task<ApiResult> RequestTicketAsync(TestSession session, string route, string? origin = "") =>
        SendAsync(HttpMethod.Post, "/api/auth/ws-ticket", new JsonObject { ["route"] = route }, session.Token, origin == string.Empty ? _server.Origin : origin);

    public async Task<string> TicketAsync(TestSession session, string route, string? origin = "")
    {
        var response = await RequestTicketAsync(session, route, origin);
        response.EnsureOk();
        return response.Json.GetProperty("ticket").GetString()!;
    }

    public async Task<ApiResult> SendAsync(HttpMethod method, string path, JsonObject? body, string? token = null, string? origin = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        configure?.Invoke(request);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        lock (Bodies)
        {
            Bodies.Add(text);
        }

        return new ApiResult((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
    }

    /// <summary>
    /// A WebSocket handshake sent as a plain HTTP/1.1 request, so a refusal's status and problem+json body can be
    /// read. Returns 101 with an empty body when the upgrade was accepted.
    /// </summary>
    public async Task<ApiResult> ProbeUpgradeAsync(string pathAndQuery, string? origin = "", Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin == string.Empty ? _server.Origin : origin);
        }

        configure?.Invoke(request);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.SwitchingProtocols)
        {
            return new ApiResult(101, null, string.Empty);
        }

        var text = await response.Content.ReadAsStringAsync();
        lock (Bodies)
        {
            Bodies.Add(text);
        }

        return new ApiResult((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
    }

    /// <summary>Opens a socket to <paramref name="route"/> with a ticket, as a page at <paramref name="origin"/> would.</summary>
    public async Task<ClientWebSocket> OpenAsync(string route, string ticket, string? origin = "", string rest = "/x", string? query = null)
    {
        var (socket, status) = await TryOpenAsync($"{TestRoutes.PathOf(route)}{rest}?{(query is null ? string.Empty : query + "&")}ticket={Uri.EscapeDataString(ticket)}", origin);
        return socket ?? throw new InvalidOperationException($"the upgrade was refused with {status}");
    }

    /// <summary>Opens a socket with a fresh session-bound ticket.</summary>
    public async Task<ClientWebSocket> OpenAsync(TestSession session, string route = TestRoutes.Echo) =>
        await OpenAsync(route, await TicketAsync(session, route));

    public async Task<(ClientWebSocket? Socket, int Status)> TryOpenAsync(string pathAndQuery, string? origin = "", Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin == string.Empty ? _server.Origin : origin);
        }

        if (_server.Https)
        {
            socket.Options.RemoteCertificateValidationCallback = Trust(_server.CaFile);
        }

        configure?.Invoke(socket.Options);
        try
        {
            await socket.ConnectAsync(new Uri(_server.WebSocketBase, pathAndQuery), CancellationToken.None);
            return (socket, 101);
        }
        catch (WebSocketException)
        {
            var status = (int)socket.HttpStatusCode;
            socket.Dispose();
            return (null, status);
        }
    }

    public void Dispose() => _http.Dispose();

    internal static RemoteCertificateValidationCallback Trust(string caFile)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        return (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
    }
}

/// <summary>A signed-in session as the test knows it.</summary>
internal sealed record TestSession(string Token, Guid Id)
{
    public override string ToString() => $"session {Id}";
}

/// <summary>A response: status, media type, body; the problem+json code when there is one.</summary>
internal sealed record ApiResult(int Status, string? MediaType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Code => MediaType == "application/problem+json" && Json.TryGetProperty("code", out var code) ? code.GetString() : null;

    public void EnsureOk()
    {
        if (Status is < 200 or > 299)
        {
            throw new InvalidOperationException($"expected success, got {Status} {Body}");
        }
    }

    public override string ToString() => $"{Status} {Body}";
}
