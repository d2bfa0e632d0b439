using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyward.EndToEnd.Tests.Cluster;

/// <summary>
/// The service behind every node of the <see cref="RealCluster"/>, in this process on loopback http. Three paths, each
/// refusing a request that did not come through Keyward (no <c>Keyward-Assertion</c>):
/// <c>/resource/whoami</c> answers with the assertion it was given (so a test can verify it against every node's JWKS);
/// <c>/resource/count</c> (POST) is a counter that also remembers each caller's <c>X-Write-Id</c>, so a request applied
/// twice (a balancer retrying a POST on another node) is caught; <c>/resource/echo</c> echoes a WebSocket.
/// </summary>
internal sealed class ClusterUpstream : IAsyncDisposable
{
    public const string AssertionHeader = "Keyward-Assertion";
    public const string WriteIdHeader = "X-Write-Id";

    private readonly ConcurrentDictionary<string, int> _writes = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private int _value;
    private int _applied;

    /// <summary>http://127.0.0.1:port.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>Counter requests applied (each one incremented the counter).</summary>
    public int Applied => Volatile.Read(ref _applied);

    /// <summary>Write ids that reached the counter more than once.</summary>
    public IReadOnlyList<string> AppliedTwice => [.. _writes.Where(w => w.Value > 1).Select(w => w.Key)];

    public static async Task<ClusterUpstream> StartAsync()
    {
        var upstream = new ClusterUpstream();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.MapGet("/resource/whoami", (HttpContext context) => HasAssertion(context)
            ? Results.Text(context.Request.Headers[AssertionHeader].ToString())
            : Results.StatusCode(StatusCodes.Status401Unauthorized));
        app.MapPost("/resource/count", (HttpContext context) =>
        {
            if (!HasAssertion(context))
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            var id = context.Request.Headers[WriteIdHeader].ToString();
            upstream._writes.AddOrUpdate(id, 1, (_, seen) => seen + 1);
            Interlocked.Increment(ref upstream._applied);
            return Results.Json(new { value = Interlocked.Increment(ref upstream._value) });
        });
        app.Map("/resource/echo", EchoAsync);
        await app.StartAsync();
        upstream._app = app;
        upstream.Address = app.Urls.Single();
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static bool HasAssertion(HttpContext context) => !string.IsNullOrEmpty(context.Request.Headers[AssertionHeader]);

    private static async Task EchoAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest || !HasAssertion(context))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
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
            // Keyward closed the relay (the session was revoked, or a node died): nothing to echo to.
        }
    }
}
