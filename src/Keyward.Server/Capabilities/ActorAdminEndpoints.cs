using Keyward.Core.Audit;
using Keyward.Core.Capabilities;
using Keyward.Core.Storage;
using Keyward.Core.Text;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.StepUp;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.Capabilities;

/// <summary>
/// Admin actions on service identities: create one (its key is answered once), list them, revoke one (its key is
/// refused from then on). State changes need an <c>admin</c> step-up; revoking is a revocation, recorded even while the
/// audit log is down (<see cref="RevocationAudit"/>).
/// </summary>
internal static class ActorAdminEndpoints
{
    /// <summary>The most identities one list answers.</summary>
    public const int ListLimit = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/actors").RequireAuthorization(AuthorizationPolicies.Admin);
        admin.MapPost("/", CreateAsync).RequireAdminStepUp().Produces<CreateActorResponse>().Refuses(KeywardErrors.ActorRequestInvalid);
        admin.MapGet("/", ListAsync).Produces<List<ActorListItem>>();
        admin.MapPost("/{id:guid}/revoke", RevokeAsync).RequireAdminStepUp().Produces(StatusCodes.Status204NoContent).Refuses(KeywardErrors.ActorNotFound);
    }

    private static async Task<IResult> CreateAsync([FromBody] CreateActorRequest? request, HttpContext context, ServiceIdentityService identities, IAuditLog audit)
    {
        var label = request?.Label?.Trim();
        if (string.IsNullOrEmpty(label) || label.Length > ServiceIdentityService.MaxLabelLength || UnsafeText.Contains(label))
        {
            return await audit.RefuseAsync(context, new Refusal(KeywardErrors.ActorRequestInvalid, AuditAction: null)).ConfigureAwait(false);
        }

        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var id = Guid.NewGuid();

        // Decide, record, act: the event names the identity before it exists, and never its key.
        await audit.RecordAsync(context, CapabilityAuditActions.ActorCreated, AuditOutcomes.Success, id.ToString(), details: new Dictionary<string, string>
        {
            ["label"] = label,
            ["actor_kind"] = ScopeRules.KindName(CapabilityActorKind.Service),
        }).ConfigureAwait(false);
        var (key, identity) = await identities.CreateAsync(id, label, session.AccountId, TenantScope.Of(session.AccountId), CancellationToken.None).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new CreateActorResponse(identity.Id, key, identity.Label, identity.CreatedAt), CapabilitiesJsonContext.Relaxed.CreateActorResponse);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ServiceIdentityService identities, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(context.Features.GetRequiredFeature<SessionFeature>().Session.AccountId);
        var list = await identities.ListAsync(tenant, ListLimit, cancellationToken).ConfigureAwait(false);
        return Results.Json(list.Select(i => new ActorListItem(i.Id, i.Label, i.CreatedAt, i.RevokedAt)).ToList(), CapabilitiesJsonContext.Relaxed.ListActorListItem);
    }

    private static async Task<IResult> RevokeAsync(Guid id, HttpContext context, ServiceIdentityService identities, RevocationAudit revocations, IAuditLog audit, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var tenant = TenantScope.Of(session.AccountId);
        var identity = await identities.FindAsync(id, tenant, cancellationToken).ConfigureAwait(false);
        if (identity is null)
        {
            return await audit.RefuseAsync(context, CapabilityAuditActions.ActorRevoked, KeywardErrors.ActorNotFound, id.ToString()).ConfigureAwait(false);
        }

        await revocations.RecordAsync(context, CapabilityAuditActions.ActorRevoked, id.ToString(), new Dictionary<string, string> { ["label"] = identity.Label }).ConfigureAwait(false);
        await identities.RevokeAsync(id, session.AccountId, tenant, CancellationToken.None).ConfigureAwait(false);
        return Results.NoContent();
    }
}
