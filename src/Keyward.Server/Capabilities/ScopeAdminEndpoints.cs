using Keyward.Core.Audit;
using Keyward.Core.Capabilities;
using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.StepUp;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.Capabilities;

/// <summary>
/// Admin actions on scopes. Granting and widening are approval operations: these endpoints only propose them (on the
/// admin's own authority, so the admin is the scope's operator) and answer the approval request's id; the scope is
/// written when the quorum's last vote applies it. Revoking narrows, so it needs no quorum, only an <c>admin</c>
/// step-up: the scope stops at once and its (operator, actor) scope nonce moves on, so every capability minted under it
/// is refused (<c>cap_scope_revoked</c>).
/// </summary>
internal static class ScopeAdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/scopes").RequireAuthorization(AuthorizationPolicies.Admin);
        admin.MapPost("/", ProposeGrantAsync).RequireAdminStepUp().Produces<ScopeProposalResponse>(StatusCodes.Status202Accepted)
            .Refuses(KeywardErrors.ScopeRequestInvalid, KeywardErrors.ScopeProposalRefused);
        admin.MapPost("/{id:guid}/widen", ProposeWidenAsync).RequireAdminStepUp().Produces<ScopeProposalResponse>(StatusCodes.Status202Accepted)
            .Refuses(KeywardErrors.ScopeRequestInvalid, KeywardErrors.ScopeNotFound, KeywardErrors.ScopeProposalRefused);
        admin.MapGet("/", ListAsync).Produces<List<ScopeListItem>>();
        admin.MapPost("/{id:guid}/revoke", RevokeAsync).RequireAdminStepUp().Produces(StatusCodes.Status204NoContent).Refuses(KeywardErrors.ScopeNotFound);
    }

    private static async Task<IResult> ProposeGrantAsync([FromBody] ScopeRequest? request, HttpContext context, IAuditLog audit, CancellationToken cancellationToken)
    {
        var (contents, problem) = ScopeRules.Normalize(request?.Operations, request?.DataClasses, request?.Prefixes);
        if (request?.ActorId is not { } actorId || ScopeRules.ParseKind(request.ActorKind) is not { } kind || contents is null)
        {
            var error = problem is null ? KeywardErrors.ScopeRequestInvalid : KeywardErrors.ScopeRequestInvalid.Saying(problem);
            return await audit.RefuseAsync(context, new Refusal(error, AuditAction: null)).ConfigureAwait(false);
        }

        return await ProposeAsync(context, audit, ScopeOperations.Grant(actorId, kind, contents), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> ProposeWidenAsync(Guid id, [FromBody] ScopeRequest? request, HttpContext context, ScopeService scopes, IAuditLog audit, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(context.Features.GetRequiredFeature<SessionFeature>().Session.AccountId);
        if (await scopes.FindAsync(id, tenant, cancellationToken).ConfigureAwait(false) is null)
        {
            return await audit.RefuseAsync(context, CapabilityAuditActions.ScopeProposed, KeywardErrors.ScopeNotFound, id.ToString()).ConfigureAwait(false);
        }

        var (contents, problem) = ScopeRules.Normalize(request?.Operations, request?.DataClasses, request?.Prefixes);
        if (contents is null)
        {
            return await audit.RefuseAsync(context, new Refusal(KeywardErrors.ScopeRequestInvalid.Saying(problem!), AuditAction: null)).ConfigureAwait(false);
        }

        return await ProposeAsync(context, audit, ScopeOperations.Widen(id, contents), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> ProposeAsync(HttpContext context, IAuditLog audit, QuorumResult<ApprovalOperation> made, CancellationToken cancellationToken)
    {
        if (!made.Succeeded)
        {
            return await audit.RefuseAsync(context, new Refusal(KeywardErrors.ScopeRequestInvalid.Saying(made.Failure!.Message), AuditAction: null)).ConfigureAwait(false);
        }

        var operation = made.Value;
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var approvals = context.RequestServices.GetRequiredService<ApprovalService>();
        var proposed = await approvals.ProposeAsync(operation, session.AccountId, session.AccountId, cancellationToken).ConfigureAwait(false);
        var details = new Dictionary<string, string>
        {
            ["operation"] = OperationKinds.Name(operation.Kind),
            ["parameters"] = string.Join("; ", operation.Parameters.Select(p => $"{p.Key}={p.Value}")),
        };
        if (!proposed.Succeeded)
        {
            details["quorum_code"] = proposed.Failure!.Code;
            return await audit.RefuseAsync(context, new Refusal(KeywardErrors.ScopeProposalRefused.Saying(proposed.Failure.Message + $" [{proposed.Failure.Code}]"), CapabilityAuditActions.ScopeProposed, operation.Target) { Details = details }).ConfigureAwait(false);
        }

        var request = proposed.Value;
        details["request"] = request.Id.ToString();
        await audit.RecordAsync(context, CapabilityAuditActions.ScopeProposed, AuditOutcomes.Success, operation.Target, details: details).ConfigureAwait(false);
        return Results.Json(
            new ScopeProposalResponse(request.Id, OperationKinds.Name(operation.Kind), request.State, request.ExpiresAt),
            CapabilitiesJsonContext.Relaxed.ScopeProposalResponse,
            statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ScopeService scopes, [FromQuery(Name = "actor")] Guid? actor, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(context.Features.GetRequiredFeature<SessionFeature>().Session.AccountId);
        var list = await scopes.ListAsync(tenant, actor, cancellationToken).ConfigureAwait(false);
        return Results.Json(
            list.Select(s => new ScopeListItem(s.Id, s.OperatorId, s.ActorId, ScopeRules.KindName(s.ActorKind), s.Operations, s.DataClasses, s.Prefixes, s.GrantedAt, s.RevokedAt)).ToList(),
            CapabilitiesJsonContext.Relaxed.ListScopeListItem);
    }

    private static async Task<IResult> RevokeAsync(Guid id, HttpContext context, ScopeService scopes, RevocationAudit revocations, IAuditLog audit, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var tenant = TenantScope.Of(session.AccountId);
        var scope = await scopes.FindAsync(id, tenant, cancellationToken).ConfigureAwait(false);
        if (scope is null)
        {
            return await audit.RefuseAsync(context, CapabilityAuditActions.ScopeRevoked, KeywardErrors.ScopeNotFound, id.ToString()).ConfigureAwait(false);
        }

        await revocations.RecordAsync(context, CapabilityAuditActions.ScopeRevoked, id.ToString(), new Dictionary<string, string>
        {
            ["operator"] = scope.OperatorId.ToString(),
            ["actor"] = scope.ActorId.ToString(),
            ["actor_kind"] = ScopeRules.KindName(scope.ActorKind),
        }).ConfigureAwait(false);
        await scopes.RevokeAsync(id, session.AccountId, tenant, CancellationToken.None).ConfigureAwait(false);
        return Results.NoContent();
    }
}
