using Keyward.Client;
using Keyward.Core.Audit;
using Keyward.Server.Hosting;
using Keyward.Server.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>
/// Keyward in process on a real Kestrel at 127.0.0.1:port (<c>KeywardHost.Build</c>, as <c>keyward serve</c> does),
/// over http in Development or https with its generated local CA; a fake clock, a recording audit log and a log
/// capture at Trace level. The first admin is registered at start.
/// </summary>
internal sealed class KeywardServer : IKeywardEndpoint, IAsyncDisposable
{
    private readonly Keyward.Testing.TempDirectory? _ownedData;

    private KeywardServer(WebApplication app, int port, string origin, bool https, string dataDirectory, Keyward.Testing.TempDirectory? ownedData, FakeTimeProvider time, RecordingAuditLog audit, LogCapture logs)
    {
        App = app;
        Port = port;
        Origin = origin;
        Https = https;
        DataDirectory = dataDirectory;
        _ownedData = ownedData;
        Time = time;
        Audit = audit;
        Logs = logs;
    }

    public WebApplication App { get; }

    public int Port { get; }

    /// <summary>Keyward's public origin (http(s)://localhost:port): the WebAuthn origin and the pages' Origin.</summary>
    public string Origin { get; }

    public bool Https { get; }

    /// <summary>Where clients connect: 127.0.0.1 (Kestrel listens there only).</summary>
    public Uri BaseAddress => new($"{(Https ? "https" : "http")}://127.0.0.1:{Port}");

    public Uri WebSocketBase => new($"{(Https ? "wss" : "ws")}://127.0.0.1:{Port}");

    public string DataDirectory { get; }

    public string CaFile => new LocalCertificateAuthority(DataDirectory, TimeProvider.System).CaCertificatePath;

    public FakeTimeProvider Time { get; }

    public RecordingAuditLog Audit { get; }

    public LogCapture Logs { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>The admin registered at start (null when this server joined an existing data directory).</summary>
    public KeywardApi? Admin { get; private set; }

    public static async Task<KeywardServer> StartAsync(
        EchoUpstream upstream, bool https = false, string? dataDirectory = null, IEnumerable<string>? extra = null,
        Action<WebApplicationBuilder>? configure = null, string? upstreamCaFile = null)
    {
        var port = FreePort.Next();
        var owned = dataDirectory is null ? new Keyward.Testing.TempDirectory("keyward-ws-") : null;
        var data = dataDirectory ?? owned!.Path;
        var scheme = https ? "https" : "http";
        var origin = $"{scheme}://localhost:{port}";
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var audit = new RecordingAuditLog();
        var logs = new LogCapture();
        List<string> args =
        [
            $"--Keyward:DataDirectory={data}",
            $"--Keyward:Listen={scheme}://127.0.0.1:{port}",
            $"--Keyward:PublicOrigin={origin}",
            "--Keyward:SignIn:PerAddressPerMinute=100000",
            "--Keyward:SignIn:PerAccountPerMinute=100000",
            .. TestRoutes.Arguments(upstream.Address, origin, upstreamCaFile),
            .. extra ?? [],
        ];
        if (!https)
        {
            args.AddRange(["--Keyward:DangerousAllowHttp=true", "--environment", "Development"]);
        }

        WebApplication? app = null;
        try
        {
            app = KeywardHost.Build([.. args], builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.SetMinimumLevel(LogLevel.Trace);
                builder.Logging.AddProvider(logs);
                builder.Host.UseServiceProviderFactory(new OverridingServiceProviderFactory(services =>
                {
                    services.AddSingleton<TimeProvider>(time);
                    services.AddSingleton<IAuditLog>(audit);
                }));
                configure?.Invoke(builder);
            });
            app.Services.GetRequiredService<SetupCode>().Print = false;
            await app.StartAsync();
            var server = new KeywardServer(app, port, origin, https, data, owned, time, audit, logs);
            if (app.Services.GetRequiredService<SetupCode>().Value is { } setupCode)
            {
                var admin = new KeywardApi(server);
                await admin.RegisterAdminAsync(setupCode);
                server.Admin = admin;
            }

            return server;
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            owned?.Dispose();
            throw;
        }
    }

    public T Get<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _ownedData?.Dispose();
    }
}
