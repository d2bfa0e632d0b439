using System.Net.WebSockets;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.Server.Hosting;
using Keyward.Server.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.Testing.Hosting;

/// <summary>
/// Keyward for a test, built exactly as <c>keyward serve</c> builds it (<see cref="KeywardHost.Build(string[], System.Action{Microsoft.AspNetCore.Builder.WebApplicationBuilder})"/>) and configured
/// only through settings: in process on a TestServer (integration tests, origin <c>https://localhost</c>), or on a
/// real Kestrel at 127.0.0.1 on a free port, with TLS from Keyward's own local CA or plain http in Development
/// (end-to-end tests). Exposes what a test needs to talk to it: the setup code, the origin and address, the CA file,
/// and clients that trust that CA.
/// </summary>
public sealed class KeywardTestHost : IKeywardEndpoint, IAsyncDisposable
{
    /// <summary>The public origin of an in-process Keyward.</summary>
    public const string InProcessOrigin = "https://localhost";

    private readonly TempDirectory? _ownedData;
    private int _disposed;

    private KeywardTestHost(WebApplication app, KeywardTestHostOptions options, string dataDirectory, TempDirectory? ownedData, int port, string origin, Uri? metrics)
    {
        MetricsAddress = metrics;
        App = app;
        Options = options;
        DataDirectory = dataDirectory;
        _ownedData = ownedData;
        Port = port;
        Origin = origin;
    }

    /// <summary>The running application.</summary>
    public WebApplication App { get; }

    /// <summary>Keyward's services.</summary>
    public IServiceProvider Services => App.Services;

    /// <summary>How it was started.</summary>
    public KeywardTestHostOptions Options { get; }

    /// <summary>True on Kestrel with TLS; false in process and on plain http.</summary>
    public bool Https => Options.Transport == KeywardTransport.Kestrel && Options.Https;

    /// <summary>The Kestrel port (0 in process).</summary>
    public int Port { get; }

    /// <summary>The metrics listener on a free loopback port (Kestrel only, unless the test configured its own).</summary>
    public Uri? MetricsAddress { get; }

    /// <summary>Keyward's public origin: the WebAuthn origin and the Origin its pages send.</summary>
    public string Origin { get; }

    /// <inheritdoc />
    /// <remarks>The origin in process; 127.0.0.1:port on Kestrel (it listens there only).</remarks>
    public Uri BaseAddress => Options.Transport == KeywardTransport.InProcess ? new Uri(Origin) : new Uri($"{(Https ? "https" : "http")}://127.0.0.1:{Port}");

    /// <summary>The ws(s):// counterpart of <see cref="BaseAddress"/> (Kestrel only).</summary>
    public Uri WebSocketBase => new($"{(Https ? "wss" : "ws")}://127.0.0.1:{Port}");

    /// <summary>The data directory (database, keys, TLS material).</summary>
    public string DataDirectory { get; }

    /// <summary>The PEM file of Keyward's local CA, which issued its TLS certificate.</summary>
    public string CaFile => new LocalCertificateAuthority(DataDirectory, TimeProvider.System).CaCertificatePath;

    /// <summary>The setup code this start issued, or null when an admin already existed in the data directory.</summary>
    public string? SetupCode => Services.GetRequiredService<SetupCode>().Value;

    /// <summary>
    /// Starts Keyward and returns once it serves. The free port is picked before Kestrel binds it (bind to 0, read
    /// back, release), so another test's outgoing connection can take it in between; a start that fails only because
    /// its port was taken is tried again on a new port, up to five times.
    /// </summary>
    public static async Task<KeywardTestHost> StartAsync(KeywardTestHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options, cancellationToken);
            }
            catch (IOException e) when (attempt < 5 && IsAddressInUse(e))
            {
            }
        }
    }

    private static bool IsAddressInUse(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.AspNetCore.Connections.AddressInUseException
                or System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<KeywardTestHost> StartOnceAsync(KeywardTestHostOptions? options, CancellationToken cancellationToken)
    {
        options ??= new KeywardTestHostOptions();
        var owned = options.DataDirectory is null ? new TempDirectory("keyward-test-") : null;
        var data = options.DataDirectory ?? owned!.Path;
        var kestrel = options.Transport == KeywardTransport.Kestrel;
        var port = kestrel ? FreePort.Next() : 0;
        var scheme = !kestrel || options.Https ? "https" : "http";
        var origin = options.Settings.TryGetValue("Keyward:PublicOrigin", out var configured) ? configured : kestrel ? $"{scheme}://localhost:{port}" : InProcessOrigin;

        List<string> args = [$"--Keyward:DataDirectory={data}", $"--Keyward:PublicOrigin={origin}"];
        Uri? metrics = null;
        if (kestrel)
        {
            args.Add($"--Keyward:Listen={scheme}://127.0.0.1:{port}");
            if (!options.Settings.ContainsKey("Keyward:Metrics:Listen"))
            {
                metrics = new Uri($"http://127.0.0.1:{FreePort.Next()}");
                args.Add($"--Keyward:Metrics:Listen={metrics}");
            }
            if (!options.Https)
            {
                args.AddRange(["--Keyward:DangerousAllowHttp=true", "--environment", "Development"]);
            }
        }

        args.AddRange(options.Settings.Select(s => $"--{s.Key}={s.Value}"));
        args.AddRange(options.ArgumentsForOrigin?.Invoke(origin) ?? []);
        args.AddRange(options.Arguments);

        WebApplication? app = null;
        try
        {
            app = KeywardHost.Build([.. args], builder =>
            {
                if (!kestrel)
                {
                    builder.WebHost.UseTestServer();
                }

                builder.Logging.ClearProviders();
                if (TestRun.Directory is not null)
                {
                    // Under the test command Keyward's log lines (Information and up, the default) go to the run
                    // directory for the leak scan; the test's own logging below may change the level or add providers.
                    builder.Logging.AddProvider(new TestRunLogProvider());
                }

                options.Logging?.Invoke(builder.Logging);
                builder.Host.UseServiceProviderFactory(new OverridingServiceProviderFactory(services =>
                {
                    if (options.Time is { } time)
                    {
                        services.AddSingleton(time);
                    }

                    options.Services?.Invoke(services);
                }));
                options.Configure?.Invoke(builder);
            });
            app.Services.GetRequiredService<SetupCode>().Print = false;
            await app.StartAsync(cancellationToken);
            return new KeywardTestHost(app, options, data, owned, port, origin, metrics);
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

    /// <summary>One of Keyward's services.</summary>
    public T GetRequiredService<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// A handler to Keyward with no cookie jar (tests send credentials explicitly) and no redirects followed; on
    /// Kestrel, <c>*.localhost</c> connects to loopback (<see cref="HostResolution"/>), and with TLS it trusts Keyward's
    /// local CA and nothing else.
    /// </summary>
    public HttpMessageHandler CreateHandler()
    {
        if (Options.Transport == KeywardTransport.InProcess)
        {
            return App.GetTestServer().CreateHandler();
        }

        var handler = new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false };

        // localhost and *.localhost (route hosts) go to loopback, as in a browser; Keyward listens on 127.0.0.1.
        HostResolution.Default.Apply(handler);
        if (Https)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = CaTrust.Only(CaFile);
        }

        return handler;
    }

    /// <summary>An HttpClient to <see cref="BaseAddress"/> on <see cref="CreateHandler"/>.</summary>
    public HttpClient CreateHttpClient() => new(CreateHandler()) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Sets a WebSocket client up to reach this Keyward (its CA trusted on TLS).</summary>
    public void ConfigureWebSocket(ClientWebSocketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Https)
        {
            options.RemoteCertificateValidationCallback = CaTrust.Only(CaFile);
        }
    }

    /// <summary>A test client with its own virtual key (or <paramref name="key"/>).</summary>
    public KeywardTestClient CreateClient(VirtualAuthenticator? key = null) => new(this, key);

    /// <summary>Stops Keyward and deletes a data directory it made. Safe to call twice (a test stops a host to restart it, then cleans up all).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await App.StopAsync(timeout.Token);
        }
        finally
        {
            await App.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _ownedData?.Dispose();
        }
    }
}
