using Keyward.Server.Accounts;
using Keyward.Server.Assertions;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Registration;
using Keyward.Server.Sessions;
using Keyward.Server.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Hosting;

/// <summary>Builds and starts the broker: the table of contents of its services, pipeline and endpoints.</summary>
public static partial class KeywardHost
{
    /// <summary>Builds the broker from command-line arguments and configuration (appsettings, KEYWARD__ env vars, args).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null) => Build(args, configFile: null, configure);

    /// <summary>
    /// Builds the broker. Configuration, in increasing precedence (docs/configuration.md): appsettings.json beside the
    /// binaries, <paramref name="configFile"/>, environment variables, command-line arguments.
    /// </summary>
    public static WebApplication Build(string[] args, string? configFile, Action<WebApplicationBuilder>? configure = null)
    {
        var app = Compose(args, configFile, configure);
        ConfigurePipeline(app);
        return app;
    }

    /// <summary>
    /// Builds the broker's services from its configuration, as <see cref="Build(string[], string?, Action{WebApplicationBuilder}?)"/>
    /// does, without its pipeline and with no server: for checking the configuration (<see cref="ValidateConfiguration"/>)
    /// while writing nothing (mapping the proxy's routes would make the assertion signing key, the server's options the
    /// local CA's certificate and the data directory's lock).
    /// </summary>
    public static WebApplication BuildForCheck(string[] args, string? configFile) =>
        Compose(args, configFile, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.Server.IServer, NoServer>();
        });

    private static WebApplication Compose(string[] args, string? configFile, Action<WebApplicationBuilder>? configure)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(KeywardHost).Assembly.GetName().Name,

            // The sign-in page ships beside the binaries, wherever Keyward is started from.
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (configFile is not null)
        {
            AddBelowEnvironment(builder.Configuration, configFile);
        }

        configure?.Invoke(builder);

        // Command-line arguments win over any file added by configure.
        builder.Configuration.AddCommandLine(args);

        // The slim builder registers only the simple console formatter; Logging:Console:FormatterName=json
        // (keyward serve --log-format json) needs the JSON one.
        if (string.Equals(builder.Configuration["Logging:Console:FormatterName"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole();
        }

        builder.Services.AddKeyward();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<KeywardOptions>, IOptions<TlsOptions>, DataDirectoryLock, IConfiguration>(ConfigureKestrel);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IConfiguration>(ConfigureMetricsListener);
        return builder.Build();
    }

    /// <summary>
    /// Runs every check start-up would run on <paramref name="app"/>'s configuration and throws them all at once (an
    /// <see cref="AggregateException"/> of each options type's failure), so a caller can report every problem.
    /// </summary>
    public static void ValidateConfiguration(WebApplication app)
    {
        if (ConfigurationFailures(app) is { Count: > 0 } failures)
        {
            throw new AggregateException(failures);
        }

        app.Services.GetService<IStartupValidator>()?.Validate();
    }

    /// <summary>
    /// Reads every validated options type of <paramref name="app"/> (what start-up validation checks), each on its own,
    /// and returns every failure: the start-up validator stops at the first setting that does not bind (a duration
    /// written "fifteen"), which would hide the rest. Builds nothing else and writes nothing.
    /// </summary>
    private static List<Exception> ConfigurationFailures(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var failures = new List<Exception>();
        var types = app.Services.GetServices<ValidatedOptions>().Select(v => v.Type).Prepend(typeof(KeywardOptions)).Distinct();
        foreach (var type in types)
        {
            var options = app.Services.GetRequiredService(typeof(IOptions<>).MakeGenericType(type));
            try
            {
                _ = options.GetType().GetProperty(nameof(IOptions<object>.Value))!.GetValue(options);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is { } inner)
            {
                failures.Add(inner);
            }
        }

        var bound = app.Services.GetServices<ValidatedOptions>().Select(v => (v.Section, v.Type)).Prepend((KeywardOptions.Section, typeof(KeywardOptions)));
        if (UnknownSettings.Find(app.Configuration, bound) is { Count: > 0 } unknown)
        {
            failures.Add(new OptionsValidationException(KeywardOptions.Section, typeof(KeywardOptions), unknown));
        }

        return failures;
    }

    // A settings file sits below the environment and the command line, as documented: insert it before the first
    // environment-variable source that CreateSlimBuilder added.
    private static void AddBelowEnvironment(ConfigurationManager configuration, string file)
    {
        var sources = configuration.Sources;
        var index = sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        var json = new JsonConfigurationSource { Path = Path.GetFullPath(file), Optional = false, ReloadOnChange = false };
        json.ResolveFileProvider();
        if (index < 0)
        {
            sources.Add(json);
        }
        else
        {
            sources.Insert(index, json);
        }
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, IOptions<KeywardOptions> keyward, IOptions<TlsOptions> tls, DataDirectoryLock dataLock, IConfiguration configuration)
    {
        // The local CA may write its certificates into the data directory: not while another Keyward owns it.
        dataLock.Acquire();
        var options = keyward.Value;
        var listen = new Uri(options.Listen);
        kestrel.AddServerHeader = false;
        kestrel.Listen(ListenAddress.Of(options.Listen), endpoint =>
        {
            if (listen.Scheme == "https")
            {
                var https = new HttpsConnectionAdapterOptions();
                if (tls.Value.CertificateFile is { } cert && tls.Value.KeyFile is { } key)
                {
                    // The operator's certificate, sent with the intermediates its file holds.
                    (https.ServerCertificate, https.ServerCertificateChain) = OperatorCertificate.Load(cert, key);
                }
                else
                {
                    https.ServerCertificate = LocalServerCertificate(options, tls.Value, RouteHostNames(configuration));
                }

                endpoint.UseHttps(https);
            }
        });
    }

    // The metrics listener: its own port, plain http, and every connection on it marked so that the pipeline sends its
    // requests to /metrics alone (and none of Keyward's endpoints answers there).
    // Read from configuration, not the validated options: Kestrel is configured while the application is built, and an
    // invalid Metrics:Listen must be reported at start with every other problem, not alone here.
    private static void ConfigureMetricsListener(KestrelServerOptions kestrel, IConfiguration configuration)
    {
        var metrics = new MetricsOptions();
        try
        {
            configuration.GetSection(MetricsOptions.Section).Bind(metrics);
        }
        catch (InvalidOperationException)
        {
            return;
        }

        if (!metrics.Enabled || metrics.Validate().Count > 0)
        {
            return;
        }

        kestrel.Listen(metrics.EndPoint, endpoint => endpoint.Use(next => connection =>
        {
            connection.Features.Set(MetricsListener.Connection.Instance);
            return next(connection);
        }));
    }

    // The browser routes' hosts, read from configuration without validating the routes (Kestrel is composed before
    // start-up validation reports every problem at once); a malformed one is left to that validation.
    private static IEnumerable<string> RouteHostNames(IConfiguration configuration) =>
        configuration.GetSection("Keyward:Routes").GetChildren()
            .Select(route => route["Host"])
            .OfType<string>()
            .Where(Keyward.Server.Proxy.RouteHosts.IsValidName);

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 LocalServerCertificate(KeywardOptions options, TlsOptions tls, IEnumerable<string> routeHosts)
    {
        PrivateDirectory.Create(options.DataDirectory);
        // Keyward's own names and every browser route's host, so the whole browser model runs on one machine.
        var names = new List<string>(tls.HostNames) { new Uri(options.EffectiveOrigin).Host, new Uri(options.Listen).Host };
        names.AddRange(routeHosts.Select(h => h.ToLowerInvariant()));
        return new LocalCertificateAuthority(options.DataDirectory, TimeProvider.System).LoadOrIssueServerCertificate(names);
    }

    private static void ConfigurePipeline(WebApplication app)
    {
        // The metrics listener answers /metrics and nothing else, before anything of Keyward's origin runs (its meter
        // listener starts with the host: MetricsListenerStart).
        // The listener is plain http (MetricsOptions), so an https request, every proxied one among them, is decided by
        // its scheme, without the connection-feature lookup (issue 15).
        app.MapWhen(
            context => !context.Request.IsHttps && context.Features.Get<MetricsListener.Connection>() is not null,
            metrics => metrics.Run(context => context.RequestServices.GetRequiredService<MetricsListener>().ServeAsync(context)));

        // Then, right after routing: refuse unknown hosts (421) and keep each host to its own endpoints.
        app.UseMiddleware<Keyward.Server.Proxy.HostGateMiddleware>();

        // HSTS and no-store on every answer, including the ones written by the middlewares below.
        app.UseMiddleware<SecurityHeadersMiddleware>();

        // Then every framework error as problem+json, and the body limit of Keyward's own endpoints; in the same try/catch,
        // the fail-closed answers registered in AddKeyward (IFailClosedAnswer): a node whose shared signing key is past
        // retire_at answers 503 signing_key_retired rather than sign, and a decision that could not be audited anywhere
        // below answers 503 audit_unavailable (issue 15: one async wrapper per request, not three).
        app.UseMiddleware<HttpErrorsMiddleware>();

        // A Bearer request to a path route: authenticated, authorized and forwarded in one step when it passes; anything
        // else, every refusal included, goes on below (issue 15: the proxied request's own cost).
        // When it forwards, it calls the endpoint itself and SKIPS everything below: the static-file/rate-limiter branch,
        // UseAuthentication, SameOriginWritesMiddleware, UseKeywardWebSockets, UseAuthorization and the endpoint
        // middleware. A middleware added below this line does NOT run for a proxied Bearer request on a path route: put
        // one that must see proxied traffic above this line, or teach ProxyRouteMiddleware to decline.
        app.UseMiddleware<Keyward.Server.Proxy.ProxyRouteMiddleware>();

        // Keyward's own page and rate-limited endpoints. Proxied requests skip this branch: in the load bench (bench/),
        // skipping these middlewares, which do nothing for them, saved several µs of CPU per proxied request.
        // Never on an app host, where every path is the upstream's.
        app.UseWhen(context => context.Features.Get<RequestHost>() is { IsApp: false } && context.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>() is null, branch =>
        {
            branch.UseDefaultFiles();
            branch.UseStaticFiles(new StaticFileOptions
            {
                // Keyward's own page: no framing (clickjacking), no sniffing, scripts and styles only from here.
                // no-cache: static files match no endpoint, so SecurityHeadersMiddleware gives them no Cache-Control and a
                // browser could reuse them unasked (heuristic freshness, RFC 9111 §4.2.2) for days after an upgrade that
                // fixed the console; revalidating every load keeps them current, and the ETag keeps that a 304.
                OnPrepareResponse = context =>
                {
                    var headers = context.Context.Response.Headers;
                    headers.CacheControl = "no-cache";
                    headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";
                    headers.XContentTypeOptions = "nosniff";
                    headers.XFrameOptions = "DENY";
                    headers["Referrer-Policy"] = "no-referrer";
                },
            });
            branch.UseRateLimiter();
        });

        app.UseAuthentication();

        // CSRF: a cookie-authenticated write must be same-origin, before any endpoint or the proxy acts on it.
        app.UseMiddleware<SameOriginWritesMiddleware>();

        // WebSocket upgrades to proxied routes: after authentication (cookie upgrades), before authorization (ticketed
        // upgrades carry no session), and never reaching YARP.
        app.UseKeywardWebSockets();
        app.UseAuthorization();

        // The endpoints, slice by slice. Each declares its plane's policy or AllowAnonymous (the fallback denies).
        app.MapGet(SigningKeyEndpoints.JwksPath, (SigningKeyStore keys, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Content(keys.Jwks, "application/json");
        }).AllowAnonymous().Produces(StatusCodes.Status200OK, contentType: "application/json");
        app.MapGet("/healthz", () => Results.Json(new HealthResponse("ok"), HttpJsonContext.Relaxed.HealthResponse)).AllowAnonymous().Produces<HealthResponse>();
        ApiDescription.Map(app);
        Readiness.Map(app);
        SessionEndpoints.Map(app);
        RegistrationEndpoints.Map(app);
        KeyEndpoints.Map(app);
        Keyward.Server.StepUp.StepUpEndpoints.Map(app);
        RecoveryCodeEndpoints.Map(app);
        AdminEndpoints.Map(app);
        Keyward.Server.Proxy.RouteAdminEndpoints.Map(app);
        SigningKeyEndpoints.Map(app);
        app.MapKeywardWebSocketTickets();
        AuditEndpoints.Map(app);
        OwnEventsEndpoints.Map(app);
        Keyward.Server.Handoff.HandoffEndpoints.Map(app);
        Keyward.Server.Agents.AgentEndpoints.Map(app);
        Keyward.Server.Agents.MachineAdminEndpoints.Map(app);
        Keyward.Server.Support.SupportEndpoints.Map(app);
        Keyward.Server.Capabilities.CapabilityEndpoints.Map(app);
        Keyward.Server.Vault.VaultEndpoints.Map(app);
        Keyward.Server.Approvals.ApprovalEndpoints.Map(app);
        ConsoleEndpoints.Map(app);
        app.MapKeywardProxy();
    }
}
