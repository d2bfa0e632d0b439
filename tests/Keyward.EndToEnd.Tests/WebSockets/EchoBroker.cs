using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyward.EndToEnd.Tests.WebSockets;

/// <summary>
/// Keyward in process on a real Kestrel at http://127.0.0.1:port (Development; Chromium treats http://localhost as a
/// secure context) with one WebSocket route, <c>echo</c> at <c>/resource/echo</c>, to a loopback echo upstream that
/// refuses handshakes without a Keyward assertion.
/// </summary>
internal sealed class EchoBroker : IAsyncDisposable
{
    private readonly KeywardTestHost _keyward;
    private readonly WebApplication _upstream;
    private readonly int[] _accepted;

    private EchoBroker(KeywardTestHost keyward, WebApplication upstream, int[] accepted, string setupCode)
    {
        _keyward = keyward;
        _upstream = upstream;
        _accepted = accepted;
        SetupCode = setupCode;
    }

    /// <summary>The echo app's host.</summary>
    public const string AppHost = "echo.localhost";

    public string Origin => _keyward.Origin;

    /// <summary>http://echo.localhost:port, the echo app's origin.</summary>
    public string AppOrigin => $"{new Uri(Origin).Scheme}://{AppHost}:{new Uri(Origin).Port}";

    public string SetupCode { get; }

    /// <summary>Sockets the upstream accepted (each came through Keyward with an assertion).</summary>
    public int UpstreamAccepted => Volatile.Read(ref _accepted[0]);

    public static async Task<EchoBroker> StartAsync()
    {
        var accepted = new int[1];
        var upstream = await StartUpstreamAsync(accepted);
        try
        {
            var keyward = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
            {
                Transport = KeywardTransport.Kestrel,
                Https = false,
                Settings = new Dictionary<string, string>
                {
                    ["Keyward:Routes:echo:Path"] = "/resource/echo",
                    ["Keyward:Routes:echo:Upstream"] = upstream.Urls.Single(),
                    ["Keyward:Routes:echo:WebSocket:Enabled"] = "true",

                    // The same echo as a browser app on its own host, whose page opens the socket with its app cookie.
                    ["Keyward:Routes:echo-app:Host"] = AppHost,
                    ["Keyward:Routes:echo-app:Upstream"] = upstream.Urls.Single(),
                    ["Keyward:Routes:echo-app:WebSocket:Enabled"] = "true",
                    ["Keyward:Routes:echo-app:WebSocket:AllowSessionCookie"] = "true",
                },
                ArgumentsForOrigin = origin => [$"--Keyward:Routes:echo:WebSocket:AllowedOrigins:0={origin}"],
            });
            return new EchoBroker(keyward, upstream, accepted, keyward.SetupCode ?? throw new InvalidOperationException("no setup code"));
        }
        catch
        {
            await upstream.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _keyward.DisposeAsync();
        await _upstream.StopAsync();
        await _upstream.DisposeAsync();
    }

    private const string AppPage = """
        <!doctype html><title>Echo app</title><p id="echo-result"></p><p id="echo-status"></p>
        <script>
        const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/resource/echo`);
        socket.onopen = () => { document.getElementById('echo-status').textContent = 'Socket open.'; socket.send('hello from the app'); };
        socket.onmessage = event => { document.getElementById('echo-result').textContent = `Echoed: ${event.data}`; };
        socket.onclose = event => { document.getElementById('echo-status').textContent = `Socket closed: ${event.code} ${event.reason}`; };
        </script>
        """;

    private static async Task<WebApplication> StartUpstreamAsync(int[] accepted)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();

        // The app's page: opens a socket to its own host (the browser sends the app cookie), echoes one message, and
        // shows how the socket closed.
        app.MapGet("/", (HttpContext context) => string.IsNullOrEmpty(context.Request.Headers["Keyward-Assertion"])
            ? Results.StatusCode(StatusCodes.Status401Unauthorized)
            : Results.Content(AppPage, "text/html; charset=utf-8"));
        app.Map("/resource/echo", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest || string.IsNullOrEmpty(context.Request.Headers["Keyward-Assertion"]))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            Interlocked.Increment(ref accepted[0]);
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, CancellationToken.None);
                        return;
                    }

                    await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
                }
            }
            catch (WebSocketException)
            {
            }
        });
        await app.StartAsync();
        return app;
    }
}
