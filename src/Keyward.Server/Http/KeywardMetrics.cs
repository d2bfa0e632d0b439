using System.Diagnostics.Metrics;

namespace Keyward.Server.Http;

/// <summary>
/// The broker's meter, <c>Keyward</c> (System.Diagnostics.Metrics). Tags are bounded sets (outcome, error code, route id,
/// status); never an account, address or token. Request latency comes from ASP.NET Core's own
/// <c>http.server.request.duration</c>, which carries the route.
/// </summary>
internal sealed class KeywardMetrics
{
    public const string MeterName = "Keyward";

    private readonly Meter _meter;

    public KeywardMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        SignIns = _meter.CreateCounter<long>("keyward.signins", description: "Completed sign-in attempts, by outcome and error code.");
        SessionsEnded = _meter.CreateCounter<long>("keyward.sessions.ended", description: "Sessions ended on this node (logout, revocation, key removal).");
        ProxiedRequests = _meter.CreateCounter<long>("keyward.proxy.requests", description: "Requests proxied to an upstream, by route and upstream status.");
        UnauthenticatedRefusals = _meter.CreateCounter<long>("keyward.refusals.unauthenticated", description: "Refusals of requests without a valid credential (counted in the audit log per address and interval), by error code.");
        HostsRefused = _meter.CreateCounter<long>("keyward.hosts.refused", description: "Requests refused because their Host is neither Keyward's nor a browser route's (421).");
        AgentsReplaced = _meter.CreateCounter<long>("keyward.agents.replaced", description: "Agent connections replaced by a newer one with the same key (4409); repeated replacements quarantine the machine.");
        SpooledEvents = _meter.CreateCounter<long>("keyward.audit.spool.events", description: "Revocation events the audit log could not take: spooled, dropped (the spool was full or failed), or drained into the log.");
        RevocationsHeard = _meter.CreateCounter<long>("keyward.cluster.revocations.heard", description: "Revocation notices from other nodes applied here (PostgreSQL), by kind.");
    }

    /// <summary>Sign-ins: tag <c>outcome</c> (succeeded, refused) and <c>code</c> for refusals.</summary>
    public Counter<long> SignIns { get; }

    /// <summary>Sessions ended on this node.</summary>
    public Counter<long> SessionsEnded { get; }

    /// <summary>Proxied requests: tags <c>route</c> and <c>status</c>.</summary>
    public Counter<long> ProxiedRequests { get; }

    /// <summary>Refusals without a valid credential: tag <c>code</c> only (never the address).</summary>
    public Counter<long> UnauthenticatedRefusals { get; }

    /// <summary>Requests for an unknown host (no tags: the host is the client's to choose).</summary>
    public Counter<long> HostsRefused { get; }

    /// <summary>Revocation events through the audit spool: tag <c>outcome</c> (spooled, dropped, drained).</summary>
    public Counter<long> SpooledEvents { get; }

    /// <summary>Revocation notices from other nodes applied here: tag <c>kind</c> (session, machine, supportsession).</summary>
    public Counter<long> RevocationsHeard { get; }

    /// <summary>Agent connections replaced by another with the same key; no labels (a machine id is not a metric label).</summary>
    public Counter<long> AgentsReplaced { get; }

    /// <summary>Adds a gauge read when metrics are collected (open sessions, sockets, audit queue depth).</summary>
    public void Gauge(string name, Func<int> observe, string description) => _meter.CreateObservableGauge(name, observe, description: description);
}
