using Keyward.Core.Audit;
using Keyward.Server.Agents;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.Support;

/// <summary>
/// The technician's API on the session plane (<c>/api/support/sessions</c>) and the viewer plane's one socket
/// (<c>/viewer/v1/sessions/{id}</c>, join token only). <see cref="SupportDesk"/> and <see cref="ViewerGate"/> decide.
/// </summary>
internal static class SupportEndpoints
{
    public const string Sessions = "/api/support/sessions";

    /// <summary>The machines the caller may join.</summary>
    public const string Machines = "/api/support/machines";

    public static void Map(IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup(Sessions).RequireAuthorization(AuthorizationPolicies.Session);
        sessions.MapPost(string.Empty, OpenAsync).Produces<SupportSessionResponse>().Refuses(
            KeywardErrors.SupportReasonInvalid, KeywardErrors.MachineNotFound, KeywardErrors.JoinNotAllowed, KeywardErrors.UnattendedNotAllowed,
            KeywardErrors.SupportSessionLimit);
        sessions.MapGet(string.Empty, ListAsync).Produces<SupportSessionsResponse>();
        sessions.MapPost("/{id:guid}/end", EndAsync).Produces<SupportSessionResponse>().Refuses(KeywardErrors.SupportSessionNotFound, KeywardErrors.SupportSessionEnded);
        sessions.MapPost("/{id:guid}/join", JoinAsync).Produces<JoinResponse>().Refuses(
            KeywardErrors.SupportSessionNotFound, KeywardErrors.SupportSessionEnded, KeywardErrors.MachineNotFound, KeywardErrors.JoinNotAllowed,
            KeywardErrors.StepUpRequired, KeywardErrors.JoinTokenLimit);

        app.MapGet(Machines, JoinableAsync).RequireAuthorization(AuthorizationPolicies.Session).Produces<JoinableMachinesResponse>();

        // The viewer plane: anonymous to the session scheme, because it takes a join token and nothing else.
        app.MapGet(ViewerGate.Pattern, (HttpContext context, Guid id, [FromServices] ViewerGate gate) => gate.HandleAsync(context, id))
            .AllowAnonymous().Refuses(
                KeywardErrors.JoinTokenInvalid, KeywardErrors.JoinTokenExpired, KeywardErrors.JoinTokenConsumed, KeywardErrors.JoinTokenRevoked,
                KeywardErrors.JoinWrongSession, KeywardErrors.SupportSessionEnded, KeywardErrors.ViewerLimit, KeywardErrors.RequestInvalid);
    }

    private static async Task<IResult> OpenAsync([FromBody] OpenSupportSessionRequest request, HttpContext context, [FromServices] SupportDesk desk, [FromServices] IAuditLog audit, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var outcome = await desk.OpenAsync(session, request, Caller.Of(context), cancellationToken).ConfigureAwait(false);
        if (outcome.Refused)
        {
            return await audit.RefuseAsync(context, outcome.Refusal).ConfigureAwait(false);
        }

        // An ad-hoc answer carries the support code, once.
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(outcome.Value, SupportJsonContext.Relaxed.SupportSessionResponse);
    }

    private static async Task<IResult> ListAsync(HttpContext context, [FromServices] SupportDesk desk, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        return Results.Json(await desk.ListAsync(session, cancellationToken).ConfigureAwait(false), SupportJsonContext.Relaxed.SupportSessionsResponse);
    }

    private static async Task<IResult> JoinableAsync(HttpContext context, [FromServices] SupportDesk desk, [FromServices] AgentDirectory agents, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var answer = await desk.JoinableAsync(session, agents.IsOnline, cancellationToken).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(answer, SupportJsonContext.Relaxed.JoinableMachinesResponse);
    }

    private static async Task<IResult> EndAsync(Guid id, HttpContext context, [FromServices] SupportDesk desk, [FromServices] IAuditLog audit, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var outcome = await desk.EndAsync(session, id, Caller.Of(context), cancellationToken).ConfigureAwait(false);
        return outcome.Refused
            ? await audit.RefuseAsync(context, outcome.Refusal).ConfigureAwait(false)
            : Results.Json(outcome.Value, SupportJsonContext.Relaxed.SupportSessionResponse);
    }

    private static async Task<IResult> JoinAsync(Guid id, HttpContext context, [FromServices] SupportDesk desk, [FromServices] IAuditLog audit, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var outcome = await desk.JoinAsync(session, id, Caller.Of(context), cancellationToken).ConfigureAwait(false);
        if (outcome.Refused)
        {
            return await audit.RefuseAsync(context, outcome.Refusal).ConfigureAwait(false);
        }

        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(outcome.Value, SupportJsonContext.Relaxed.JoinResponse);
    }
}
