using System.Net;
using System.Net.WebSockets;
using Keyward.Client;
using Keyward.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.EndToEnd.Tests.WebSockets;

/// <summary>
/// Keyward in process on a real Kestrel at http://127.0.0.1:port (Development; Chromium treats http://localhost as a
/// secure context) with one WebSocket route, <c>echo</c> at <c>/resource/echo</c>, to a loopback echo upstream that
/// refuses handshakes without a Keyward assertion.
/// </summary>
internal sealed class EchoBroker : IAsyncDisposable
{
    private readonly WebApplication _keyward;
    private readonly WebApplication _upstream;
    private readonly string _dataDirectory;

    private EchoBroker(WebApplication keyward, WebApplication upstream, string dataDirectory, string origin, string setupCode)
    {
        _keyward = keyward;
        _upstream = upstream;
        _dataDirectory = dataDirectory;
        Origin = origin;
        SetupCode = setupCode;
    }

    public string Origin { get; }

    public string SetupCode { get; }

    public static async Task<EchoBroker> StartAsync()
    {
        var holder = new int[1];
        var upstream = await StartUpstreamAsync(holder);
        var port = FreePort.Next();
        var data = Directory.CreateTempSubdirectory("keyward-e2e-ws-").FullName;
        var origin = $"http://localhost:{port}";
        var keyward = KeywardHost.Build(
        [
            $"--Keyward:DataDirectory={data}",
            $"--Keyward:Listen=http://127.0.0.1:{port}",
            $"--Keyward:PublicOrigin={origin}",
            "--Keyward:DangerousAllowHttp=true",
            "--Keyward:Routes:echo:Path=/resource/echo",
            $"--Keyward:Routes:echo:Upstream={upstream.Urls.Single()}",
            "--Keyward:Routes:echo:WebSocket:Enabled=true",
            $"--Keyward:Routes:echo:WebSocket:AllowedOrigins:0={origin}",
            "--environment", "Development",
        ], builder => builder.Logging.ClearProviders());
        keyward.Services.GetRequiredService<SetupCode>().Print = false;
        await keyward.StartAsync();
        var code = keyward.Services.GetRequiredService<SetupCode>().Value ?? throw new InvalidOperationException("no setup code");
        var broker = new EchoBroker(keyward, upstream, data, origin, code);
        broker._counter = holder;
        return broker;
    }

    private int[] _counter = [];

    /// <summary>Sockets the upstream accepted (each came through Keyward with an assertion).</summary>
    public int UpstreamAccepted => Volatile.Read(ref _counter[0]);

    public async ValueTask DisposeAsync()
    {
        await _keyward.StopAsync();
        await _keyward.DisposeAsync();
        await _upstream.StopAsync();
        await _upstream.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may outlive the host for a moment.
        }
    }

    private static async Task<WebApplication> StartUpstreamAsync(int[] accepted)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
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
