using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Keyward.LoadBench.Trivial;

/// <summary>
/// The trivial upstream, run as a child process of the bench (<c>Keyward.LoadBench.dll upstream-child</c>) so its CPU
/// is counted apart from the front ends': Kestrel on loopback with TLS, and
/// <list type="bullet">
/// <item><c>/resource/…</c> (any method): counts the hit and answers <c>{"value":N}</c>, a small JSON body;</item>
/// <item><c>/auth</c>: nginx <c>auth_request</c>'s endpoint — 204 when <c>Authorization</c> equals the bench's
/// session header (a fixed-time comparison), 401 otherwise;</item>
/// <item><c>/ws/…</c>: accepts a WebSocket and closes it when the client does (the sign-in bench's ticket redeems).</item>
/// </list>
/// </summary>
internal static class TrivialUpstream
{
    public const string ChildCommand = "upstream-child";

    /// <summary>The value nginx's auth endpoint accepts, passed in the environment rather than on the command line.</summary>
    public const string AuthorizationVariable = "KEYWARD_LOADBENCH_AUTHORIZATION";

    /// <summary><c>upstream-child &lt;port&gt; &lt;certificate.pem&gt; &lt;key.pem&gt;</c>; runs until stdin closes.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        if (args.Length != 4 || !int.TryParse(args[1], out var port))
        {
            await Console.Error.WriteLineAsync($"usage: {ChildCommand} <port> <certificate.pem> <key.pem>");
            return 2;
        }

        using var certificate = X509Certificate2.CreateFromPemFile(args[2], args[3]);
        var expected = Encoding.UTF8.GetBytes(Environment.GetEnvironmentVariable(AuthorizationVariable) ?? string.Empty);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--Logging:LogLevel:Default=Warning"],
            ApplicationName = typeof(TrivialUpstream).Assembly.GetName().Name,
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, endpoint => endpoint.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate }));
        });

        await using var app = builder.Build();
        long hits = 0;
        app.UseWebSockets();
        app.Map("/resource/{**rest}", () => Results.Json(new Hit(Interlocked.Increment(ref hits)), TrivialJsonContext.Default.Hit));
        app.MapGet("/healthz", () => Results.Ok());
        app.Map("/auth", (HttpContext context) =>
        {
            var presented = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
            return expected.Length > 0 && CryptographicOperations.FixedTimeEquals(presented, expected) ? Results.NoContent() : Results.Unauthorized();
        });
        app.Map("/ws/{**rest}", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return Results.BadRequest();
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                }
            }

            return Results.Empty;
        });

        await app.StartAsync();
        Console.WriteLine("ready");

        // The bench holds stdin open; it closes (or the bench dies) and the upstream stops.
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }
}
