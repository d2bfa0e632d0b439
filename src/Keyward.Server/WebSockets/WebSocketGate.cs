using System.Net.WebSockets;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Server.Assertions;
using Keyward.Server.Endpoints;
using Keyward.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Keyward.Server.WebSockets;

/// <summary>
/// Handles a WebSocket upgrade on a proxied route: authorize (ticket, internal credential or cookie), open the
/// upstream leg, record the decision, and only then accept the client and relay until one side closes. A refusal is
/// problem+json with a 4xx status (502/503 when the upstream or the audit log fails); never a 101.
/// </summary>
internal sealed class WebSocketGate(
    UpgradeAuthorizer authorizer, UpstreamConnector upstreams, LiveSocketRegistry registry, AssertionIssuer assertions,
    IAuditLog audit, IOptions<KeywardOptions> options, IOptions<WebSocketGateOptions> gateOptions, TimeProvider time,
    ILogger<WebSocketGate> logger)
{
    /// <summary>Who the upstream is told it is talking to when the internal credential opened the socket.</summary>
    private readonly SessionInfo _internalIdentity = new(
        Guid.NewGuid(), Guid.Empty, "keyward-internal", "internal", Guid.Empty, false, time.GetUtcNow(), DateTimeOffset.MaxValue);

    public async Task HandleAsync(HttpContext context, string routeId)
    {
        var route = options.Value.Routes[routeId];
        var decision = await authorizer.AuthorizeAsync(context, routeId, route).ConfigureAwait(false);
        if (decision.Grant is not { } identity)
        {
            await RefuseAsync(context, routeId, decision, decision.Refusal!).ConfigureAwait(false);
            return;
        }

        var assertion = assertions.Issue(identity.Session ?? _internalIdentity, routeId);
        var (upstream, failure) = await upstreams.ConnectAsync(context, routeId, route, assertion, context.RequestAborted).ConfigureAwait(false);
        if (upstream is null)
        {
            WebSocketLog.UpstreamFailed(logger, routeId, failure!);
            await RefuseAsync(context, routeId, decision, GateErrors.Refusal(GateError.UpstreamUnavailable)).ConfigureAwait(false);
            return;
        }

        WebSocket client;
        try
        {
            // Fail closed: a socket that cannot be recorded is not opened.
            await audit.RecordAsync(Record(context, decision, AuditActions.WebSocketOpened, AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["via"] = identity.Via,
            }), context.RequestAborted).ConfigureAwait(false);
            client = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = upstream.SubProtocol,
                KeepAliveInterval = gateOptions.Value.KeepAliveInterval,
                DangerousEnableCompression = false,
            }).ConfigureAwait(false);
        }
        catch (AuditUnavailableException e)
        {
            WebSocketLog.AuditFailed(logger, AuditActions.WebSocketOpened, e);
            upstream.Abort();
            upstream.Dispose();
            var refusal = GateErrors.Refusal(GateError.AuditUnavailable);
            await Problems.WriteAsync(context, refusal.Status, refusal.Code, refusal.Detail).ConfigureAwait(false);
            return;
        }
        catch
        {
            upstream.Abort();
            upstream.Dispose();
            throw;
        }

        using var relay = new RelayConnection(identity, client, upstream, route.WebSocket, gateOptions.Value.CloseTimeout, time);
        registry.Add(relay);
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

    /// <summary>Refuses an upgrade before any credential is looked at (an upgrade to another protocol).</summary>
    public Task RefuseAsync(HttpContext context, GateError error)
    {
        var routeId = context.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>()?.Config.RouteId ?? string.Empty;
        return RefuseAsync(context, routeId, new UpgradeDecision(null, null, null), GateErrors.Refusal(error));
    }

    private async Task RefuseAsync(HttpContext context, string routeId, UpgradeDecision decision, GateRefusal refusal)
    {
        WebSocketLog.UpgradeRefused(logger, routeId, refusal.Code);
        var action = decision.Internal ? AuditActions.InternalCredentialRefused : AuditActions.WebSocketUpgradeDenied;
        var outcome = refusal.Status >= 500 ? AuditOutcomes.Failure : AuditOutcomes.Denied;
        await RecordQuietlyAsync(Record(context, decision, action, outcome, new Dictionary<string, string> { ["code"] = refusal.Code })).ConfigureAwait(false);
        if (refusal.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"keyward\"";
        }

        await Problems.WriteAsync(context, refusal.Status, refusal.Code, refusal.Detail).ConfigureAwait(false);
    }

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
}
