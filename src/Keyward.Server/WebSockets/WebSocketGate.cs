using System.Net.WebSockets;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Server.Assertions;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Proxy;
using Microsoft.Extensions.Options;

namespace Keyward.Server.WebSockets;

/// <summary>
/// Handles a WebSocket upgrade on a proxied route: authorize (ticket, internal credential or cookie), open the
/// upstream leg, record the decision, and only then accept the client and relay until one side closes. A refusal is
/// problem+json with a 4xx status (502/503 when the upstream or the audit log fails, 503 at the global socket cap);
/// never a 101.
/// </summary>
internal sealed class WebSocketGate(
    UpgradeAuthorizer authorizer, UpstreamConnector upstreams, LiveSocketRegistry registry, AssertionIssuer assertions,
    SessionService sessions, IAuditLog audit, RefusalCounter refusals, IOptions<ProxyOptions> proxy, IOptions<WebSocketGateOptions> gateOptions, TimeProvider time,
    ILogger<WebSocketGate> logger)
{
    /// <summary>Who the upstream is told it is talking to when the internal credential opened the socket.</summary>
    private readonly SessionInfo _internalIdentity = new(
        Guid.NewGuid(), Guid.Empty, "keyward-internal", "internal", Guid.Empty, false, time.GetUtcNow(), DateTimeOffset.MaxValue);

    public async Task HandleAsync(HttpContext context, string routeId)
    {
        var route = proxy.Value.Routes[routeId];

        // Checked before the ticket is spent: names the upstream handshake would refuse (or ClientWebSocket throw on).
        if (!SubProtocolsAreValid(context.WebSockets.WebSocketRequestedProtocols))
        {
            await RefuseAsync(context, routeId, new UpgradeDecision(null, null, null), KeywardErrors.SubProtocolInvalid).ConfigureAwait(false);
            return;
        }

        var decision = await authorizer.AuthorizeAsync(context, routeId, route).ConfigureAwait(false);
        if (decision.Grant is not { } identity)
        {
            await RefuseAsync(context, routeId, decision, decision.Refusal!).ConfigureAwait(false);
            return;
        }

        // A place under the per-session and global caps, before anything is recorded or dialled; given back on every
        // way out of this method (refusal, upstream failure, client abort, close, exception).
        var reserved = registry.TryReserve(identity.Session?.Id);
        if (reserved.Refused)
        {
            await RefuseAsync(context, routeId, decision, reserved.Refusal.Error).ConfigureAwait(false);
            return;
        }

        using var slot = reserved.Value;
        try
        {
            // Fail closed, and first: nothing, not even the upstream, hears of a socket the log does not hold. An
            // upstream that then refuses follows as websocket.upgrade_denied (upstream_unavailable).
            await audit.RecordAsync(Record(context, decision, AuditActions.WebSocketOpened, AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["via"] = identity.Via,
            }), CancellationToken.None).ConfigureAwait(false);
        }
        catch (AuditUnavailableException e)
        {
            WebSocketLog.AuditFailed(logger, AuditActions.WebSocketOpened, e);
            var refusal = GateAuditUnavailable;
            await Problems.WriteAsync(context, refusal).ConfigureAwait(false);
            return;
        }

        var assertion = assertions.Issue(identity.Session ?? _internalIdentity, routeId);
        var (upstream, failure) = await upstreams.ConnectAsync(context, routeId, route, assertion, context.RequestAborted).ConfigureAwait(false);
        if (upstream is null)
        {
            WebSocketLog.UpstreamFailed(logger, routeId, failure!);
            await RefuseAsync(context, routeId, decision, KeywardErrors.UpstreamUnavailable).ConfigureAwait(false);
            return;
        }

        // The upstream handshake may have taken seconds: a session that ended meanwhile gets no 101.
        if (identity.Session is { } opened
            && (await sessions.InspectAsync([opened.Id], CancellationToken.None).ConfigureAwait(false))[opened.Id] is { IsValid: false } ended)
        {
            upstream.Abort();
            upstream.Dispose();
            await RefuseAsync(context, routeId, decision, KeywardErrors.From(ended.Failure!.Value)).ConfigureAwait(false);
            return;
        }

        WebSocket client;
        try
        {
            client = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = upstream.SubProtocol,
                KeepAliveInterval = gateOptions.Value.KeepAliveInterval,
                DangerousEnableCompression = false,
            }).ConfigureAwait(false);
        }
        catch
        {
            upstream.Abort();
            upstream.Dispose();
            throw;
        }

        using var relay = new RelayConnection(identity, client, upstream, route.WebSocket, gateOptions.Value.CloseTimeout, gateOptions.Value.MaxQueuedBytes, time);
        registry.Add(relay);

        // A logout on this node between the check above and Add fired Ended before the registry knew this socket.
        if (identity.Session is { } live && sessions.HasEndedOnThisNode(live.Id))
        {
            registry.CloseEnded(live.Id);
        }

        // The route's MaxLifetime is a timer on the clock the lifetime is read from, so it fires when the lifetime runs out
        // (with a fake clock, when the test moves it) and does not wait on the sweep; the sweep stays as the backstop.
        using var lifetimeTimer = time.CreateTimer(
            static state => _ = ((RelayConnection)state!).CloseAsync(CloseCodes.Reauthenticate, CloseCodes.ReauthorizationRequired, "lifetime"),
            relay, Clamp(relay.ExpiresAt - time.GetUtcNow()), Timeout.InfiniteTimeSpan);

        WebSocketLog.Opened(logger, relay.Id, routeId, identity.Via);
        RelayClose outcome;
        try
        {
            outcome = await relay.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            registry.Remove(relay);
        }

        var seconds = (time.GetUtcNow() - relay.OpenedAt).TotalSeconds;
        WebSocketLog.Closed(logger, relay.Id, routeId, outcome.Code, outcome.Cause, seconds);
        await RecordQuietlyAsync(Record(context, decision, AuditActions.WebSocketClosed, AuditOutcomes.Success, new Dictionary<string, string>
        {
            ["via"] = identity.Via,
            ["close_code"] = outcome.Code.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["close_reason"] = outcome.Reason,
            ["cause"] = outcome.Cause,
            ["messages_from_client"] = relay.MessagesFromClient.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["messages_from_upstream"] = relay.MessagesFromUpstream.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })).ConfigureAwait(false);
    }

    /// <summary>A timer's due time, never negative (MaxLifetime is at most 7 days, inside a timer's range).</summary>
    private static TimeSpan Clamp(TimeSpan due) => due < TimeSpan.Zero ? TimeSpan.Zero : due;

    /// <summary>Refuses an upgrade before any credential is looked at (an upgrade to another protocol).</summary>
    public Task RefuseAsync(HttpContext context, KeywardError error)
    {
        var routeId = context.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>()?.Config.RouteId ?? string.Empty;
        return RefuseAsync(context, routeId, new UpgradeDecision(null, null, null), error);
    }

    private async Task RefuseAsync(HttpContext context, string routeId, UpgradeDecision decision, KeywardError refusal)
    {
        WebSocketLog.UpgradeRefused(logger, routeId, refusal.Code);
        var action = decision.Internal ? AuditActions.InternalCredentialRefused : AuditActions.WebSocketUpgradeDenied;
        var outcome = refusal.Status >= 500 ? AuditOutcomes.Failure : AuditOutcomes.Denied;
        // A session credential the session handler already refused (revoked, expired, idle) is a real credential even
        // though the upgrade is refused for another reason (no ticket): one event, naming the handler's reason too.
        var noted = context.Features.Get<RefusalFeature>()?.Error;
        var realCredential = noted is not null && !UnauthenticatedRefusals.Covers(noted);
        if (!realCredential && !decision.Known && decision.Grant is null && context.Features.Get<SessionFeature>() is null && UnauthenticatedRefusals.Covers(refusal))
        {
            // No credential Keyward knows (no ticket, session or app session found): counted per address and interval,
            // like the HTTP refusals.
            refusals.Count(context, action, routeId, refusal);
            await WriteRefusalAsync(context, refusal).ConfigureAwait(false);
            return;
        }

        try
        {
            var details = new Dictionary<string, string> { ["code"] = refusal.Code };
            if (realCredential)
            {
                details["credential_refused"] = noted!.Code;
            }

            await audit.RecordAsync(Record(context, decision, action, outcome, details), CancellationToken.None).ConfigureAwait(false);
        }
        catch (AuditUnavailableException e)
        {
            // Still refused, as every broker refusal the log cannot hold: 503, never the 101.
            WebSocketLog.AuditFailed(logger, action, e);
            refusal = GateAuditUnavailable;
        }

        await WriteRefusalAsync(context, refusal).ConfigureAwait(false);
    }

    private static Task WriteRefusalAsync(HttpContext context, KeywardError refusal)
    {
        if (refusal.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"keyward\"";
        }

        // A cap is full until a socket closes: a client that retries should wait a little, not at once.
        if (refusal.Code == KeywardErrors.WebSocketSessionLimit.Code || refusal.Code == KeywardErrors.WebSocketCapacity.Code)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        return Problems.WriteAsync(context, refusal);
    }

    // RFC 6455 §4.1: each value a token (RFC 7230 §3.2.6), no repeats; a short list.
    private static bool SubProtocolsAreValid(IList<string> protocols) =>
        protocols.Count <= 16
        && protocols.All(p => p.Length is > 0 and <= 128 && p.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
        && protocols.Distinct(StringComparer.OrdinalIgnoreCase).Count() == protocols.Count;

    private static AuditRecord Record(HttpContext context, UpgradeDecision decision, string action, string outcome, Dictionary<string, string> details)
    {
        if (decision.Credential is { } credential)
        {
            details["credential"] = credential;
        }

        if (decision.Grant?.Session is { } session)
        {
            details["session_id"] = session.Id.ToString();
        }

        return new AuditRecord
        {
            Actor = decision.Actor ?? "anonymous",
            Action = action,
            Target = context.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>()?.Config.RouteId,
            Outcome = outcome,
            ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
            Details = details,
        };
    }

    /// <summary>For records whose operation is already decided (a refusal, a close): a failure is logged, not thrown.</summary>
    private async Task RecordQuietlyAsync(AuditRecord record)
    {
        try
        {
            await audit.RecordAsync(record).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            WebSocketLog.AuditFailed(logger, record.Action, e);
        }
    }

    // The gate's own wording since it was built (docs/websockets.md); the code and status are the catalogue's.
    private static readonly KeywardError GateAuditUnavailable = KeywardErrors.AuditUnavailable.Saying("The audit log is unavailable, so Keyward refuses the operation. Try again later.");
}
