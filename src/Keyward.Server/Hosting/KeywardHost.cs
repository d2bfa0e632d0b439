using Keyward.Core.Accounts;
using Keyward.Core.Ceremonies;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Server.Assertions;
using Keyward.Server.Audit;
using Keyward.Server.Authentication;
using Keyward.Server.Endpoints;
using Keyward.Server.Proxy;
using Keyward.Server.Tls;
using Keyward.WebAuthn;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Keyward.Server.Hosting;

/// <summary>Builds and starts the broker: one place for services, pipeline and start-up work.</summary>
public static partial class KeywardHost
{
    /// <summary>Builds the broker from command-line arguments and configuration (appsettings, KEYWARD__ env vars, args).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(KeywardHost).Assembly.GetName().Name,

            // The sign-in page ships beside the binaries, wherever Keyward is started from.
            ContentRootPath = AppContext.BaseDirectory,
        });
        configure?.Invoke(builder);

        // Command-line arguments win over any file added by configure.
        builder.Configuration.AddCommandLine(args);
        ConfigureServices(builder);
        var app = builder.Build();
        ConfigurePipeline(app);
        return app;
    }

    private static void ConfigureServices(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = new KeywardOptions();
        builder.Configuration.GetSection(KeywardOptions.Section).Bind(options);
        options.DataDirectory = Path.GetFullPath(options.DataDirectory);
        var errors = options.Validate(builder.Environment.IsDevelopment());
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(KeywardOptions.Section, typeof(KeywardOptions), errors);
        }

        Directory.CreateDirectory(options.DataDirectory);
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new KeywardDatabase(options.Storage, options.DataDirectory));
        services.AddSingleton<AccountService>();
        services.AddSingleton<CeremonyStore>();
        services.AddSingleton(options.Sessions);
        services.AddSingleton<SessionService>();
        services.AddSingleton<SignInLimiter>();
        services.AddSingleton<SigningKeyStore>();
        services.AddSingleton<AssertionIssuer>();
        services.AddSingleton<SetupCode>();
        services.AddHostedService<StartupTasks>();
        services.AddSingleton(sp => new RelyingParty(
            new RelyingPartyPolicy { RpId = options.EffectiveRpId, Origins = [options.EffectiveOrigin], RpName = "Keyward" },
            sp.GetRequiredService<TimeProvider>()));

        services.AddAuthentication(SessionAuthenticationDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationDefaults.Scheme, null);
        services.AddAuthorization(authorization =>
        {
            authorization.AddPolicy(AuthorizationPolicies.Session, p => p.RequireAuthenticatedUser());
            authorization.AddPolicy(AuthorizationPolicies.Admin, p => p.RequireAuthenticatedUser().AddRequirements(new RouteAccessRequirement(false, Roles.Admin)));
            foreach (var (id, route) in options.Routes)
            {
                authorization.AddPolicy(AuthorizationPolicies.Route(id), p => p.RequireAuthenticatedUser().AddRequirements(new RouteAccessRequirement(route.RequireUserVerification, route.Role)));
            }

            // Only the sign-in and registration ceremonies, the JWKS, the health check and the page are public; every
            // other endpoint and every proxied route names its policy above, and unknown paths are 404.
            authorization.FallbackPolicy = null;
        });
        services.AddRateLimiter(limiter => RateLimitPolicies.Configure(limiter, options));

        var (routes, clusters) = ProxyRoutes.Build(options);
        services.AddKeywardWebSockets(builder.Configuration);
        services.AddSingleton<IForwarderHttpClientFactory, UpstreamHttpClientFactory>();
        services.AddReverseProxy().LoadFromMemory(routes, clusters);
        services.AddSingleton<Yarp.ReverseProxy.Transforms.Builder.ITransformProvider, AssertionTransform>();
        services.AddKeywardAudit(builder.Configuration, options.DataDirectory);

        ConfigureKestrel(builder, options);
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder, KeywardOptions options)
    {
        var listen = new Uri(options.Listen);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var address = listen.Host is "localhost" ? System.Net.IPAddress.Loopback : System.Net.IPAddress.Parse(listen.Host.Trim('[', ']'));
            kestrel.Listen(address, listen.Port, endpoint =>
            {
                if (listen.Scheme == "https")
                {
                    endpoint.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = LoadCertificate(options) });
                }
            });
        });
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 LoadCertificate(KeywardOptions options)
    {
        if (options.Tls.CertificateFile is { } cert && options.Tls.KeyFile is { } key)
        {
            return System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(cert, key);
        }

        var names = new List<string>(options.Tls.HostNames) { new Uri(options.EffectiveOrigin).Host, new Uri(options.Listen).Host };
        return new LocalCertificateAuthority(options.DataDirectory, TimeProvider.System).LoadOrIssueServerCertificate(names);
    }

    private static void ConfigurePipeline(WebApplication app)
    {
        // First, so a decision that could not be audited anywhere below answers 503 audit_unavailable.
        app.UseMiddleware<AuditFailClosedMiddleware>();

        // Keyward's own page and rate-limited endpoints. Proxied requests skip this branch: in the load bench (bench/),
        // skipping these middlewares, which do nothing for them, saved several µs of CPU per proxied request.
        app.UseWhen(context => context.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>() is null, branch =>
        {
            branch.UseDefaultFiles();
            branch.UseStaticFiles(new StaticFileOptions
            {
                // Keyward's own page: no framing (clickjacking), no sniffing, scripts and styles only from here.
                OnPrepareResponse = context =>
                {
                    var headers = context.Context.Response.Headers;
                    headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";
                    headers.XContentTypeOptions = "nosniff";
                    headers.XFrameOptions = "DENY";
                    headers["Referrer-Policy"] = "no-referrer";
                },
            });
            branch.UseRateLimiter();
        });

        app.UseAuthentication();

        // WebSocket upgrades to proxied routes: after authentication (cookie upgrades), before authorization (ticketed
        // upgrades carry no session), and never reaching YARP.
        app.UseKeywardWebSockets();
        app.UseAuthorization();
        app.MapGet("/.well-known/keyward/jwks.json", (SigningKeyStore keys, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Content(keys.Jwks, "application/json");
        });
        app.MapGet("/healthz", () => Results.Json(new Dictionary<string, string> { ["status"] = "ok" }));
        SessionEndpoints.Map(app);
        RegistrationEndpoints.Map(app);
        KeyEndpoints.Map(app);
        AdminEndpoints.Map(app);
        app.MapKeywardWebSocketTickets();
        AuditEndpoints.Map(app);
        app.MapReverseProxy();

        // Logout, revocation and key removal forget cached assertions of the ended session on this node.
        var sessions = app.Services.GetRequiredService<SessionService>();
        var issuer = app.Services.GetRequiredService<AssertionIssuer>();
        sessions.Ended += issuer.Forget;
    }
}
