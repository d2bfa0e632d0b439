using Keyward.Core.Accounts;
using Keyward.Core.Ceremonies;
using Keyward.Core.Storage;
using Keyward.Server.Assertions;
using Keyward.Server.Hosting;
using Keyward.Server.Http;
using Keyward.Server.Limits;
using Keyward.Server.Registration;
using Keyward.Server.Sessions;
using Keyward.Server.Tls;
using Keyward.WebAuthn;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the broker: <c>services.AddKeyward()</c>. Every part uses <c>TryAdd*</c>, so calling it twice is harmless.</summary>
public static class KeywardServiceCollectionExtensions
{
    /// <summary>
    /// Adds Keyward: its options (each slice's section, validated at start), storage, sessions and sign-in,
    /// registration, assertions, the authenticated proxy, the WebSocket gate, the audit log, and the planes'
    /// authorization (deny by default). Returns a builder that later slices extend.
    /// </summary>
    public static KeywardBuilder AddKeyward(this IServiceCollection services)
    {
        // Once: authentication schemes and rate-limit policies may not be registered twice.
        if (services.Any(d => d.ServiceType == typeof(KeywardMarker)))
        {
            return new KeywardBuilder(services);
        }

        services.AddSingleton<KeywardMarker>();
        services.AddKeywardFoundation();
        services.AddLogging(KeepQueryStringsOutOfLogs);
        services.AddLogging(KeepRefusalsQuiet);

        // First of the hosted services: migrations, signing keys and the setup code come before anything else starts
        // (the audit tree-head service signs a head that includes the setup code's event).
        services.TryAddSingleton<DataDirectoryLock>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StartupTasks>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Keyward.Server.Accounts.AccountNameReport>());
        services.AddKeywardSessions();
        services.AddKeywardRegistration();
        services.AddKeywardStepUp();
        services.AddKeywardSigningKeys();
        // The shared keys' schedule from the slices whose keys they are (Keys reads neither slice's options).
        services.TryAddSingleton(sp => new Keyward.Server.Keys.SigningKeySchedule(
            sp.GetRequiredService<IOptions<AssertionOptions>>().Value.KeyRotationInterval,
            sp.GetRequiredService<IOptions<AssertionOptions>>().Value.KeyOverlap,
            sp.GetRequiredService<IOptions<Keyward.Server.Capabilities.CapabilityOptions>>().Value.Lifetime));
        services.AddKeywardAssertions();
        services.AddKeywardProxy();
        services.AddKeywardWebSockets();
        services.AddKeywardSupport();
        services.AddKeywardAudit();
        services.AddKeywardAgents();
        services.AddKeywardCapabilities();
        services.AddKeywardVault();
        services.AddKeywardApprovals();
        services.AddKeywardAuthorization();
        services.AddKeywardApiDescription();
        services.AddKeywardCluster();
        return new KeywardBuilder(services);
    }

    /// <summary>
    /// Query strings carry credentials (upgrade tickets <c>?ticket=kwt_…</c>, handoff codes, and whatever an upstream
    /// puts in its own links, <c>/reset?token=…</c>). Three library categories write full URLs at Information: ASP.NET
    /// Core's request log, its result executors ("Executing RedirectResult, redirecting to …", which carried handoff
    /// codes) and YARP's "Proxying to …". All are kept at Warning, whatever level the rest of the log is at.
    /// </summary>
    internal static void KeepQueryStringsOutOfLogs(ILoggingBuilder logging)
    {
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", level => level >= LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore.Http.Result", level => level >= LogLevel.Warning);
        logging.AddFilter("Yarp.ReverseProxy.Forwarder", level => level >= LogLevel.Warning);
    }

    /// <summary>
    /// Every refused request made ASP.NET Core write two or three Information lines ("Authorization failed…", "…was
    /// challenged", "…was not authenticated"), so an anonymous flood decided how fast the log grew. Keyward records
    /// refusals itself (the audit log, the refusal counter, metrics); these categories are kept at Warning.
    /// </summary>
    internal static void KeepRefusalsQuiet(ILoggingBuilder logging)
    {
        logging.AddFilter("Microsoft.AspNetCore.Authorization", level => level >= LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore.Authentication", level => level >= LogLevel.Warning);
        logging.AddFilter(typeof(Keyward.Server.Sessions.SessionAuthenticationHandler).FullName, level => level >= LogLevel.Warning);
    }

    // The broker's identity and place, its clock, storage, accounts and the WebAuthn relying party.
    private static void AddKeywardFoundation(this IServiceCollection services)
    {
        services.AddOptions<KeywardOptions>().BindConfiguration(KeywardOptions.Section).PostConfigure(o => o.DataDirectory = string.IsNullOrWhiteSpace(o.DataDirectory) ? o.DataDirectory : Path.GetFullPath(o.DataDirectory)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeywardOptions>, KeywardOptionsValidator>());
        services.AddKeywardOptions<TlsOptions>(TlsOptions.Section, o => o.Validate());
        services.AddKeywardOptions<HstsOptions>(HstsOptions.Section, o => o.Validate());
        services.AddKeywardOptions<MetricsOptions>(MetricsOptions.Section, o => o.Validate());
        services.AddKeywardOptions<StorageOptions>("Keyward:Storage", o => o.Validate());
        services.TryAddSingleton(TimeProvider.System);

        // Authentication registers ASP.NET Core Data Protection, which Keyward never uses: its key ring stays in memory.
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>().Configure(o =>
        {
            o.XmlRepository = new UnusedDataProtectionKeys();

            // Memory is as protected as the process; saying so spares a warning about unencrypted keys at every start.
            o.XmlEncryptor = new Microsoft.AspNetCore.DataProtection.XmlEncryption.NullXmlEncryptor();
        });
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.DataProtection", level => level >= LogLevel.Warning));

        // Request bodies are read with these options (answers use the source-generated contexts): a number is a JSON
        // number, never a string that looks like one (the web defaults accept "5"), and /openapi/v1.json says so.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        services.AddMetrics();
        services.TryAddSingleton<MetricsListener>();
        services.AddHostedService<MetricsListenerStart>();
        services.TryAddSingleton<Readiness>();
        services.TryAddSingleton(sp =>
        {
            // Gauges are read when metrics are collected, so they resolve what they read only then.
            var metrics = new KeywardMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
            metrics.Gauge("keyward.websockets.open", () => sp.GetRequiredService<Keyward.Server.WebSockets.LiveSocketRegistry>().Count, "Relayed WebSockets open on this node.");
            metrics.Gauge("keyward.audit.queue_depth", () => sp.GetRequiredService<Keyward.Core.Audit.AuditLog>().QueueDepth, "Audit events waiting to be written.");
            metrics.Gauge("keyward.audit.spool.bytes", () => (int)sp.GetRequiredService<Keyward.Core.Audit.AuditSpool>().Length, "Bytes of revocation events waiting in the audit spool for the audit log to recover.");
            return metrics;
        });
        services.TryAddSingleton(sp =>
        {
            var data = sp.GetRequiredService<IOptions<KeywardOptions>>().Value.DataDirectory;
            PrivateDirectory.Create(data);
            return new KeywardDatabase(sp.GetRequiredService<IOptions<StorageOptions>>().Value, data, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<AccountService>();
        services.TryAddSingleton<CeremonyStore>();
        services.TryAddSingleton<SetupCode>();
        services.TryAddSingleton(sp =>
        {
            var keyward = sp.GetRequiredService<IOptions<KeywardOptions>>().Value;
            return new RelyingParty(
                new RelyingPartyPolicy { RpId = keyward.EffectiveRpId, Origins = [keyward.EffectiveOrigin], RpName = "Keyward" },
                sp.GetRequiredService<TimeProvider>());
        });
    }

    private static void AddKeywardSessions(this IServiceCollection services)
    {
        services.AddKeywardOptions<Keyward.Core.Sessions.SessionOptions>("Keyward:Sessions", o => o.Validate());
        services.AddKeywardOptions<SignInOptions>(SignInOptions.Section, o => o.Validate());
        services.TryAddSingleton(sp =>
        {
            var sessions = new Keyward.Core.Sessions.SessionService(
                sp.GetRequiredService<KeywardDatabase>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<Keyward.Core.Sessions.SessionOptions>>().Value,
                sp.GetRequiredService<Keyward.Core.Cluster.RevocationBus>());

            // Session-ended listeners: logout, revocation and key removal (made here, or on another node and heard through
            // the revocation bus) forget the ended session's cached assertions on this node; only this node's are counted.
            // (Open sockets are closed by the WebSocket sweeper, which asks the session service.)
            var issuer = sp.GetRequiredService<AssertionIssuer>();
            var metrics = sp.GetRequiredService<KeywardMetrics>();
            sessions.Ended += issuer.Forget;
            var logger = sp.GetRequiredService<ILogger<SignInService>>();
            sessions.EndedByThisNode += id =>
            {
                metrics.SessionsEnded.Add(1);
                SessionLog.Ended(logger, id);
            };
            return sessions;
        });
        services.TryAddSingleton<Keyward.Core.Sessions.AppSessionService>();
        services.TryAddSingleton<Keyward.Core.Handoffs.HandoffService>();
        // Guess limits shared by every node on PostgreSQL; one node (SQLite) keeps them in memory (issue 13, item 4).
        services.TryAddSingleton<IClusterCounters>(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value is { Provider: StorageProvider.Postgres, ConnectionString: { } postgres }
            // Keys hashed under a key every node derives alike; the system clock means PostgreSQL's clock in the statements.
            ? new PostgresClusterCounters(postgres, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<InstanceSecret>().Derive("limits.counter-keys"), databaseClock: sp.GetRequiredService<TimeProvider>() == TimeProvider.System)
            : new NodeCounters());
        services.TryAddSingleton<SignInLimiter>();
        services.TryAddSingleton<InstanceSecret>();
        services.TryAddSingleton<CeremonyJournal>();
        services.TryAddSingleton<SignInService>();
        services.AddAuthentication(SessionAuthenticationDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationDefaults.Scheme, null);
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SignInOptions>, IClusterCounters, ILoggerFactory>(
            (limiter, signIn, counters, logs) => RateLimitPolicies.Configure(limiter, signIn.Value, counters, logs.CreateLogger<SharedWindowLimiter>()));
    }

    private static void AddKeywardRegistration(this IServiceCollection services)
    {
        services.TryAddSingleton<RegistrationService>();
        services.TryAddSingleton<SetupCodeLimiter>();
        // Recovery codes are hashed under a key derived from this installation's secret, kept outside the database.
        services.TryAddSingleton(sp => new RecoveryCodeKey(sp.GetRequiredService<InstanceSecret>().Derive("keyward.recovery-codes.v1")));
        services.TryAddSingleton<RecoveryCodeService>();
    }

    private static void AddKeywardAssertions(this IServiceCollection services)
    {
        services.AddKeywardOptions<AssertionOptions>(AssertionOptions.Section, o => o.Validate());
        services.TryAddSingleton<SigningKeyStore>();
        services.TryAddSingleton<AssertionIssuer>();

        // The fail-closed answers HttpErrorsMiddleware asks, innermost first: the order is the pipeline's contract.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFailClosedAnswer, Keyward.Server.Keys.SigningKeyRetiredAnswer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFailClosedAnswer, Keyward.Server.Audit.AuditFailClosedAnswer>());
    }

    // The planes, in one place: every endpoint names one of these policies or AllowAnonymous; anything else is refused.
    private static void AddKeywardAuthorization(this IServiceCollection services)
    {
        services.AddAuthorization();
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, KeywardAuthorizationResultHandler>());
        services.Replace(ServiceDescriptor.Transient<Microsoft.AspNetCore.Authorization.Policy.IPolicyEvaluator, SessionPolicyEvaluator>());
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<Keyward.Server.Proxy.ProxyOptions>>((authorization, proxy) =>
        {
            authorization.AddPolicy(AuthorizationPolicies.Session, p => p.RequireAuthenticatedUser());
            authorization.AddPolicy(AuthorizationPolicies.Admin, p => p.RequireAuthenticatedUser().AddRequirements(new SessionRequirement(false, Roles.Admin)));
            foreach (var (id, route) in proxy.Value.Routes)
            {
                authorization.AddPolicy(AuthorizationPolicies.Route(id), p => p.RequireAuthenticatedUser().AddRequirements(new SessionRequirement(route.RequireUserVerification, route.Role)));
            }

            authorization.FallbackPolicy = new AuthorizationPolicyBuilder().AddRequirements(new UndeclaredEndpointRequirement()).Build();
        });
    }

    // Marks a service collection that already has Keyward.
    private sealed class KeywardMarker;
}
