using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>
/// A real upstream on a loopback port: a WebSocket echo at every path that refuses handshakes without a
/// <c>Keyward-Assertion</c> (401), records each handshake it accepted and each close it saw. Commands in text
/// messages: <c>big:N</c> answers with one N-byte binary message, <c>flood:N</c> with N small messages,
/// <c>bigflood:N:S</c> with N binary messages of S bytes, each starting with its index (little-endian int).
/// </summary>
internal sealed class EchoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _accepted;
    private int _refused;
    private int _bigFloodSent;

    private EchoUpstream(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    /// <summary>Handshakes accepted: a refused upgrade at Keyward must leave this unchanged.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Handshakes refused for lack of an assertion.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Messages of <c>bigflood</c> commands whose send has completed (TCP took them).</summary>
    public int BigFloodSent => Volatile.Read(ref _bigFloodSent);

    public ConcurrentQueue<UpstreamHandshake> Handshakes { get; } = new();

    /// <summary>Close codes the upstream received from Keyward (or null when the leg just dropped).</summary>
    public ConcurrentQueue<(int? Code, string? Reason)> Closes { get; } = new();

    public static async Task<EchoUpstream> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        var upstream = new EchoUpstream(app);
        app.UseWebSockets();
        app.Run(upstream.HandleAsync);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        upstream.Address = address;
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await context.Response.WriteAsync("plain http");
            return;
        }

        var assertion = context.Request.Headers["Keyward-Assertion"].ToString();
        if (assertion.Length == 0)
        {
            Interlocked.Increment(ref _refused);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        Handshakes.Enqueue(new UpstreamHandshake(
            context.Request.Path.Value ?? string.Empty,
            context.Request.QueryString.Value ?? string.Empty,
            assertion,
            context.Request.Headers.Origin.ToString(),
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        Interlocked.Increment(ref _accepted);
        var requested = context.WebSockets.WebSocketRequestedProtocols;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(requested.Count > 0 ? requested[0] : null);
        try
        {
            await EchoAsync(socket);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            Closes.Enqueue((null, null));
        }
    }

    private async Task EchoAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Closes.Enqueue(((int?)socket.CloseStatus, socket.CloseStatusDescription));
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, CancellationToken.None);
                    }

                    return;
                }

                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var payload = message.ToArray();
            var text = result.MessageType == WebSocketMessageType.Text ? Encoding.UTF8.GetString(payload) : null;
            if (text?.StartsWith("big:", StringComparison.Ordinal) == true)
            {
                await socket.SendAsync(new byte[int.Parse(text[4..], System.Globalization.CultureInfo.InvariantCulture)], WebSocketMessageType.Binary, true, CancellationToken.None);
            }
            else if (text?.StartsWith("bigflood:", StringComparison.Ordinal) == true)
            {
                var parts = text.Split(':');
                var flood = new byte[int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)];
                for (var i = 0; i < int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture); i++)
                {
                    BitConverter.TryWriteBytes(flood, i);
                    await socket.SendAsync(flood, WebSocketMessageType.Binary, true, CancellationToken.None);
                    Interlocked.Increment(ref _bigFloodSent);
                }
            }
            else if (text?.StartsWith("flood:", StringComparison.Ordinal) == true)
            {
                for (var i = 0; i < int.Parse(text[6..], System.Globalization.CultureInfo.InvariantCulture); i++)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes($"flood {i}"), WebSocketMessageType.Text, true, CancellationToken.None);
                }
            }
            else
            {
                await socket.SendAsync(payload, result.MessageType, true, CancellationToken.None);
            }
        }
    }
}

/// <summary>What the upstream saw of one accepted handshake.</summary>
internal sealed record UpstreamHandshake(string Path, string Query, string Assertion, string Origin, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The assertion's claims (its payload, not verified: the upstream's own verification is tested elsewhere).</summary>
    public System.Text.Json.JsonElement Claims =>
        System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(Pad(Assertion.Split('.')[1].Replace('-', '+').Replace('_', '/')))).RootElement;

    private static string Pad(string s) => s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
}
