using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.Agent.Tests.Infrastructure;

/// <summary>
/// A stand-in for Keyward's agent plane on Kestrel with TLS (docs/remote-support.md as written): POST
/// /agent/v1/enroll answers what the test sets, GET /agent/v1/connect upgrades to keyward-agent.v1 and hands each
/// socket to the test (or refuses with the status the test sets).
/// </summary>
public sealed class FakeKeyward : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _enrollCalls;
    private int _connectCalls;
    private readonly System.Collections.Concurrent.ConcurrentBag<AgentSocket> _sockets = [];

    private FakeKeyward(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public int EnrollCalls => Volatile.Read(ref _enrollCalls);

    public int ConnectCalls => Volatile.Read(ref _connectCalls);

    /// <summary>The Authorization header of the last request.</summary>
    public string? LastAuthorization { get; private set; }

    /// <summary>The enroll answer: status and JSON body.</summary>
    public (int Status, string Body) EnrollAnswer { get; set; } = (200, """{"machine_id":"m_test","agent_key":"kwa_TESTKEYtestkey0123456789abcdefABCDEF","label":"test box"}""");

    /// <summary>When set, /agent/v1/connect answers this status (problem+json) instead of upgrading.</summary>
    public int? RefuseConnect { get; set; }

    public Channel<AgentSocket> Connections { get; } = Channel.CreateUnbounded<AgentSocket>();

    public static async Task<FakeKeyward> StartAsync(TestCa ca)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(ca.Server)));
        var app = builder.Build();
        var fake = new FakeKeyward(app);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.MapPost("/agent/v1/enroll", (Delegate)fake.EnrollAsync);
        app.Map("/agent/v1/connect", (Delegate)fake.ConnectAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.Address = new Uri(address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        return fake;
    }

    private async Task EnrollAsync(HttpContext context)
    {
        Interlocked.Increment(ref _enrollCalls);
        LastAuthorization = context.Request.Headers.Authorization;
        var (status, body) = EnrollAnswer;
        context.Response.StatusCode = status;
        context.Response.ContentType = status == 200 ? "application/json" : "application/problem+json";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(body);
    }

    private async Task ConnectAsync(HttpContext context)
    {
        Interlocked.Increment(ref _connectCalls);
        LastAuthorization = context.Request.Headers.Authorization;
        if (RefuseConnect is { } status)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/problem+json";
            await context.Response.WriteAsync($$"""{"status":{{status}},"code":"agent_key_revoked"}""");
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest || !context.WebSockets.WebSocketRequestedProtocols.Contains("keyward-agent.v1"))
        {
            context.Response.StatusCode = 400;
            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync("keyward-agent.v1");
        var agent = new AgentSocket(socket, context.Request.Headers["Keyward-Agent-Version"].ToString());
        _sockets.Add(agent);
        await Connections.Writer.WriteAsync(agent);
        await agent.Finished;
    }

    /// <summary>Drops every socket without a close frame (a test that stopped the agent does not answer its close).</summary>
    public void AbortAll()
    {
        foreach (var socket in _sockets)
        {
            socket.Socket.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in _sockets)
        {
            socket.Finish();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
