using Keyward.Client;
using Keyward.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.EndToEnd.Tests.Broker;

/// <summary>
/// Keyward itself, in process on a real Kestrel at http://127.0.0.1:port (Development, DangerousAllowHttp: Chromium
/// treats http://localhost as a secure context), with a fresh data directory and one route, <c>/resource/**</c>, to
/// a <see cref="CounterUpstream"/>.
/// </summary>
internal sealed class BrokerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private BrokerHost(WebApplication app, string dataDirectory, string origin, string setupCode)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        Origin = origin;
        SetupCode = setupCode;
    }

    /// <summary>http://localhost:port, Keyward's public origin and WebAuthn origin.</summary>
    public string Origin { get; }

    /// <summary>The first-start setup code.</summary>
    public string SetupCode { get; }

    public static async Task<BrokerHost> StartAsync(CounterUpstream upstream)
    {
        var port = FreePort.Next();
        var data = Directory.CreateTempSubdirectory("keyward-e2e-").FullName;
        var origin = $"http://localhost:{port}";
        string[] args =
        [
            $"--Keyward:DataDirectory={data}",
            $"--Keyward:Listen=http://127.0.0.1:{port}",
            $"--Keyward:PublicOrigin={origin}",
            "--Keyward:DangerousAllowHttp=true",
            "--Keyward:Routes:counter:Path=/resource/{**rest}",
            $"--Keyward:Routes:counter:Upstream={upstream.Address}",
            "--environment", "Development",
        ];
        WebApplication? app = null;
        try
        {
            app = KeywardHost.Build(args, builder => builder.Logging.ClearProviders());
            app.Services.GetRequiredService<SetupCode>().Print = false;
            await app.StartAsync();
            var code = app.Services.GetRequiredService<SetupCode>().Value
                ?? throw new InvalidOperationException("A fresh data directory should have produced a setup code.");
            return new BrokerHost(app, data, origin, code);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            Directory.Delete(data, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may outlive the host for a moment; the temp directory is not worth failing for.
        }
    }
}
