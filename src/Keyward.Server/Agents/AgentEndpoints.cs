using Keyward.Core.Agents;
using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Agents;

/// <summary>
/// The agent plane (docs/remote-support.md): <c>POST /agent/v1/enroll</c> with an enroll token, and
/// <c>GET /agent/v1/connect</c>, the agent's WebSocket, with its agent key. Each takes its own credential and nothing
/// else (<see cref="AgentAuthenticationHandler"/>).
/// </summary>
internal static class AgentEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var agent = app.MapGroup("/agent/v1");
        agent.MapPost("/enroll", EnrollAsync).RequireAuthorization(AuthorizationPolicies.AgentEnroll)
            .Produces<EnrollResponse>().Refuses(KeywardErrors.EnrollTokenExpired, KeywardErrors.EnrollTokenConsumed, KeywardErrors.EnrollTokenRevoked);
        agent.MapGet("/connect", ConnectAsync).RequireAuthorization(AuthorizationPolicies.AgentKey)
            .Produces(StatusCodes.Status101SwitchingProtocols).Refuses(KeywardErrors.AgentUpgradeRequired, KeywardErrors.AgentCapacity);
    }

    // Consumed first (one conditional UPDATE, with the machine made in the same transaction), then recorded: a refusal
    // changes nothing; a success that cannot be recorded still answers 503 (the machine exists, its key is never shown).
    private static async Task<IResult> EnrollAsync(
        [FromBody] EnrollRequest? request, HttpContext context, EnrollmentService enrollment, IAuditLog audit, IOptions<AgentOptions> options, CancellationToken cancellationToken)
    {
        var token = context.Features.GetRequiredFeature<AgentFeature>().EnrollToken;
        var enrolled = await enrollment.EnrollAsync(token, request?.Hostname, request?.Version, cancellationToken).ConfigureAwait(false);
        if (!enrolled.Succeeded)
        {
            var error = KeywardErrors.From(enrolled.Failure!.Value);
            if (UnauthenticatedRefusals.Covers(error))
            {
                context.RequestServices.GetRequiredService<RefusalCounter>().Count(context, AgentAuditActions.EnrollRefused, context.Request.Path.Value, error);
                return Problems.Result(error);
            }

            // A spent, expired or revoked token presented again: the first is one event, the repeats a count.
            var record = AuditTrail.For(context, AgentAuditActions.EnrollRefused, AuditOutcomes.Denied, details: new Dictionary<string, string> { ["code"] = error.Code });
            await context.RequestServices.GetRequiredService<RepeatedRefusals>().RecordAsync(string.Concat(error.Code, " ", token), context.Connection.RemoteIpAddress, record).ConfigureAwait(false);
            return Problems.Result(error);
        }

        var machine = enrolled.Machine!;
        await audit.RecordAsync(
            context,
            AgentAuditActions.Enrolled,
            AuditOutcomes.Success,
            machine.Id.ToString(),
            actor: MachineActor(machine.Id),
            details: new Dictionary<string, string> { ["label"] = machine.Label, ["policy"] = machine.Policy, ["hostname"] = machine.Hostname ?? string.Empty }).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(
            new EnrollResponse(machine.Id, enrolled.AgentKey!, machine.Label, machine.Policy, options.Value.HeartbeatSeconds),
            AgentsJsonContext.Relaxed.EnrollResponse);
    }

    private static async Task<IResult> ConnectAsync(
        HttpContext context, AgentDirectory directory, MachineService machines, IAuditLog audit, IOptions<AgentOptions> options, TimeProvider time, ILogger<AgentDirectory> logger)
    {
        var feature = context.Features.GetRequiredFeature<AgentFeature>();
        var adHoc = feature.AdHocSessionId;

        // An ad-hoc agent has no machine row: a stand-in whose id is its support session's (the directory's key), and
        // nothing it claims is recorded.
        var machine = feature.Machine ?? new MachineInfo(
            adHoc!.Value, Keyward.Core.Storage.Tenants.Default, "ad hoc", AgentPolicies.Attended, Joiners.AdminsOnly, time.GetUtcNow(), null, null, null, null, null);
        if (!IsAgentUpgrade(context))
        {
            return Problems.Result(KeywardErrors.AgentUpgradeRequired);
        }

        if (!directory.TryReserve())
        {
            return await audit.RefuseAsync(context, AgentAuditActions.Connected, KeywardErrors.AgentCapacity, machine.Id.ToString(), MachineActor(machine.Id)).ConfigureAwait(false);
        }

        try
        {
            var version = EnrollmentService.Bounded(context.Request.Headers[AgentProtocol.VersionHeader].ToString(), 64);
            await audit.RecordAsync(
                context, AgentAuditActions.Connected, AuditOutcomes.Success, machine.Id.ToString(), MachineActor(machine.Id),
                new Dictionary<string, string> { ["label"] = machine.Label, ["version"] = version ?? string.Empty }).ConfigureAwait(false);
            var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = AgentProtocol.SubProtocol }).ConfigureAwait(false);
            var link = new AgentLink(socket, machine, version, options.Value, time, machines, logger, adHoc) { Address = Caller.Of(context).ClientAddress };

            // A live link of this machine is replaced (4409); repeated replacements revoke the key (review finding 1).
            // An ad-hoc link has no machine and binds with a single-use code, so it is never replaced.
            if (adHoc is null && directory.Find(machine.Id) is { } previous)
            {
                await context.RequestServices.GetRequiredService<AgentReplacementGuard>().ReplacingAsync(context, previous, link).ConfigureAwait(false);
            }

            directory.Add(link);
            AgentLog.Connected(logger, machine.Id);

            // Revoked between the key check and the Add (KeyEnded fired before the link was there): close it now.
            if (adHoc is null && (await machines.EndedAsync([machine.Id], CancellationToken.None).ConfigureAwait(false)).Count > 0)
            {
                _ = link.CloseAsync(AgentProtocol.KeyRevoked, "agent key revoked");
            }

            try
            {
                await link.RunAsync(context.RequestAborted).ConfigureAwait(false);
            }
            finally
            {
                directory.Remove(link);
            }

            AgentLog.Disconnected(logger, machine.Id, (int?)link.CloseStatus, link.CloseReason);
            await RecordDisconnectedAsync(context, audit, link, logger).ConfigureAwait(false);
        }
        finally
        {
            directory.Release();
        }

        return Results.Empty;
    }

    private static async Task RecordDisconnectedAsync(HttpContext context, IAuditLog audit, AgentLink link, ILogger logger)
    {
        try
        {
            await audit.RecordAsync(
                context, AgentAuditActions.Disconnected, AuditOutcomes.Success, link.Machine.Id.ToString(), MachineActor(link.Machine.Id),
                new Dictionary<string, string>
                {
                    ["close_status"] = link.CloseStatus is { } status ? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none",
                    ["reason"] = link.CloseReason ?? "dropped",
                    ["bytes_from_agent"] = link.BytesFromAgent.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["bytes_to_agent"] = link.BytesToAgent.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }).ConfigureAwait(false);
        }
        catch (AuditUnavailableException e)
        {
            // The socket has ended either way; the log says the record is missing.
            AgentLog.AuditFailed(logger, link.Machine.Id, e);
        }
    }

    /// <summary>True for a WebSocket upgrade that offers <c>keyward-agent.v1</c> (anything else is refused with 400 agent_upgrade_required).</summary>
    internal static bool IsAgentUpgrade(HttpContext context) =>
        context.WebSockets.IsWebSocketRequest && context.WebSockets.WebSocketRequestedProtocols.Contains(AgentProtocol.SubProtocol, StringComparer.Ordinal);

    /// <summary>How an agent appears as an audit actor: by its machine id, never by what it claims.</summary>
    internal static string MachineActor(Guid machineId) => "machine:" + machineId.ToString();
}
