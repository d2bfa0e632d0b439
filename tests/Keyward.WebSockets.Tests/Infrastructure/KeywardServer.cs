using Keyward.Core.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>
/// The gate's test Keyward: a <see cref="KeywardTestHost"/> on Kestrel (WebSockets need a real server), over http in
/// Development or https with its generated local CA, with the <see cref="TestRoutes"/> to one echo upstream, a fake
/// clock, a recording audit log and a log capture at Trace level. The first admin is registered at start.
/// </summary>
internal sealed class KeywardServer : IAsyncDisposable
{
    private KeywardServer(KeywardTestHost host, FakeTimeProvider time, RecordingAuditLog audit, LogCapture logs)
    {
        Host = host;
        Time = time;
        Audit = audit;
        Logs = logs;
    }

    public KeywardTestHost Host { get; }

    public WebApplication App => Host.App;

    public int Port => Host.Port;

    /// <summary>Keyward's public origin (http(s)://localhost:port): the WebAuthn origin and the pages' Origin.</summary>
    public string Origin => Host.Origin;

    public Uri WebSocketBase => Host.WebSocketBase;

    public string DataDirectory => Host.DataDirectory;

    public FakeTimeProvider Time { get; }

    public RecordingAuditLog Audit { get; }

    /// <summary>Writes the counted refusals without a valid credential now (as the interval's end would).</summary>
    public Task FlushRefusalsAsync() => Services.GetRequiredService<Keyward.Server.Audit.RefusalCounter>().FlushAsync();

    /// <summary>How many refusals with <paramref name="code"/> were audited, one by one or counted (flushed first).</summary>
    public async Task<long> RefusedAsync(string code)
    {
        await FlushRefusalsAsync();
        return Audit.Refused(code);
    }

    public LogCapture Logs { get; }

    public IServiceProvider Services => Host.Services;

    /// <summary>The admin registered at start (null when this server joined an existing data directory).</summary>
    public KeywardTestClient? Admin { get; private set; }

    public static async Task<KeywardServer> StartAsync(
        EchoUpstream upstream, bool https = false, string? dataDirectory = null, IEnumerable<string>? extra = null,
        Action<WebApplicationBuilder>? configure = null, string? upstreamCaFile = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var audit = new RecordingAuditLog();
        var logs = new LogCapture();
        var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            Https = https,
            DataDirectory = dataDirectory,
            Settings = new Dictionary<string, string>
            {
                ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
                ["Keyward:SignIn:FailuresBeforeBackoff"] = "100000",
            },
            ArgumentsForOrigin = origin => TestRoutes.Arguments(upstream.Address, origin, upstreamCaFile),
            Arguments = [.. extra ?? []],
            Time = time,
            Services = services => services.AddSingleton<IAuditLog>(audit),
            Logging = logging =>
            {
                logging.SetMinimumLevel(LogLevel.Trace);
                logging.AddProvider(logs);
            },
            Configure = configure,
        });
        var server = new KeywardServer(host, time, audit, logs);
        try
        {
            if (host.SetupCode is { } setupCode)
            {
                var admin = host.CreateClient();
                server.Admin = admin;
                await admin.RegisterAdminAsync(setupCode);
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public T Get<T>()
        where T : notnull => Host.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        await Host.DisposeAsync();
    }
}
