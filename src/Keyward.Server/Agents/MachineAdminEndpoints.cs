using Keyward.Core.Accounts;
using Keyward.Core.Accounts.Names;
using Keyward.Core.Agents;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Core.Text;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.StepUp;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Agents;

/// <summary>
/// Admin actions on the agent plane: enroll tokens (create, revoke) and machines (list, revoke a key, soft-delete one
/// or up to 100). State changes need an <c>admin</c> step-up; revoking and deleting are revocations, recorded even while
/// the audit log is down (<see cref="RevocationAudit"/>), and close the machine's live socket here at once (4401).
/// </summary>
internal static class MachineAdminEndpoints
{
    /// <summary>The most machines one list answers.</summary>
    public const int ListLimit = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(AuthorizationPolicies.Admin);
        admin.MapPost("/enroll-tokens", CreateTokenAsync).RequireAdminStepUp().Produces<EnrollTokenResponse>()
            .Refuses(KeywardErrors.EnrollRequestInvalid, KeywardErrors.AccountNotFound);
        admin.MapPost("/enroll-tokens/{id:guid}/revoke", RevokeTokenAsync).RequireAdminStepUp().Produces(StatusCodes.Status204NoContent).Refuses(KeywardErrors.EnrollTokenNotFound);
        admin.MapGet("/machines", ListAsync).Produces<List<MachineListItem>>();
        admin.MapPost("/machines/{id:guid}/revoke", RevokeKeyAsync).RequireAdminStepUp().Produces(StatusCodes.Status204NoContent).Refuses(KeywardErrors.MachineNotFound);
        admin.MapDelete("/machines/{id:guid}", DeleteAsync).RequireAdminStepUp().Produces(StatusCodes.Status204NoContent).Refuses(KeywardErrors.MachineNotFound);
        admin.MapPost("/machines/delete", DeleteManyAsync).RequireAdminStepUp().Produces<MachinesDeletedResponse>().Refuses(KeywardErrors.MachineIdsInvalid);
    }

    private static async Task<IResult> CreateTokenAsync(
        [FromBody] EnrollTokenRequest request, HttpContext context, EnrollmentService enrollment, AccountService accounts, IAuditLog audit, IOptions<AgentOptions> options, CancellationToken cancellationToken)
    {
        var label = request.Label?.Trim();
        var policy = request.Policy ?? AgentPolicies.Attended;
        var names = request.Joiners?.Accounts ?? [];
        var roles = request.Joiners?.Roles ?? [Roles.Admin];
        var lifetime = request.LifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Value.EnrollTokenLifetime;
        if (string.IsNullOrEmpty(label) || label.Length > EnrollmentService.MaxLabelLength || UnsafeText.Contains(label) || !AgentPolicies.IsKnown(policy)
            || names.Count > Joiners.MaxAccounts || roles.Count > 2 || !roles.All(Roles.IsKnown)
            || lifetime < TimeSpan.FromMinutes(1) || lifetime > options.Value.MaxEnrollTokenLifetime)
        {
            return await audit.RefuseAsync(context, new Refusal(KeywardErrors.EnrollRequestInvalid, AuditAction: null)).ConfigureAwait(false);
        }

        var joiners = new List<(Guid Id, string Name)>();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var account = name.Length > AccountName.MaxInputLength ? null : await accounts.FindAccountByTypedNameAsync(name, cancellationToken).ConfigureAwait(false);
            if (account is null)
            {
                return await audit.RefuseAsync(context, AgentAuditActions.EnrollTokenCreated, KeywardErrors.AccountNotFound.Saying($"No account named \"{name}\" to allow as a joiner."), label).ConfigureAwait(false);
            }

            joiners.Add((account.Id, account.Name));
        }

        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var tenant = TenantScope.Of(session.AccountId);
        var id = Guid.NewGuid();
        await audit.RecordAsync(context, AgentAuditActions.EnrollTokenCreated, AuditOutcomes.Success, id.ToString(), details: new Dictionary<string, string>
        {
            ["label"] = label,
            ["policy"] = policy,
            ["join_accounts"] = string.Join(' ', joiners.Select(j => j.Name)),
            ["join_roles"] = string.Join(' ', roles),
        }).ConfigureAwait(false);
        var (token, info) = await enrollment.CreateAsync(
            label, policy, new Joiners([.. joiners.Select(j => j.Id)], [.. roles.Distinct(StringComparer.Ordinal)]), lifetime, session.AccountId, tenant, id, CancellationToken.None).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(
            new EnrollTokenResponse(info.Id, token, info.Label, info.Policy, new JoinersBody([.. joiners.Select(j => j.Name)], info.Joiners.Roles), info.ExpiresAt),
            AgentsJsonContext.Relaxed.EnrollTokenResponse);
    }

    private static async Task<IResult> RevokeTokenAsync(Guid id, HttpContext context, EnrollmentService enrollment, RevocationAudit revocations, IAuditLog audit, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(context.Features.GetRequiredFeature<SessionFeature>().Session.AccountId);
        if (!await enrollment.RevokeAsync(id, tenant, cancellationToken).ConfigureAwait(false))
        {
            return await audit.RefuseAsync(context, AgentAuditActions.EnrollTokenRevoked, KeywardErrors.EnrollTokenNotFound, id.ToString()).ConfigureAwait(false);
        }

        await revocations.RecordAsync(context, AgentAuditActions.EnrollTokenRevoked, id.ToString(), new Dictionary<string, string>()).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> ListAsync(HttpContext context, MachineService machines, AgentDirectory directory, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(context.Features.GetRequiredFeature<SessionFeature>().Session.AccountId);
        var list = await machines.ListAsync(tenant, ListLimit, cancellationToken).ConfigureAwait(false);
        var items = list.Select(m => new MachineListItem(m.Id, m.Label, m.Policy, directory.IsOnline(m.Id), m.LastSeenAt, m.Version, m.Hostname, m.EnrolledAt, m.KeyRevokedAt)).ToList();
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(items, AgentsJsonContext.Relaxed.ListMachineListItem);
    }

    // A revocation: the key stops working in the database, then this node's socket closes at once (MachineService.KeyEnded).
    private static async Task<IResult> RevokeKeyAsync(Guid id, HttpContext context, MachineService machines, RevocationAudit revocations, IAuditLog audit, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(context.Features.GetRequiredFeature<SessionFeature>().Session.AccountId);
        var machine = await machines.FindAsync(id, tenant, cancellationToken).ConfigureAwait(false);
        if (machine is null)
        {
            return await audit.RefuseAsync(context, AgentAuditActions.KeyRevoked, KeywardErrors.MachineNotFound, id.ToString()).ConfigureAwait(false);
        }

        await revocations.RecordAsync(context, AgentAuditActions.KeyRevoked, id.ToString(), new Dictionary<string, string> { ["label"] = machine.Label }).ConfigureAwait(false);
        await machines.RevokeKeyAsync(id, tenant, CancellationToken.None).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext context, MachineService machines, RevocationAudit revocations, IAuditLog audit, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(context.Features.GetRequiredFeature<SessionFeature>().Session.AccountId);
        var machine = await machines.FindAsync(id, tenant, cancellationToken).ConfigureAwait(false);
        if (machine is null)
        {
            return await audit.RefuseAsync(context, AgentAuditActions.MachineDeleted, KeywardErrors.MachineNotFound, id.ToString()).ConfigureAwait(false);
        }

        var by = context.Features.GetRequiredFeature<SessionFeature>().Session.AccountId;
        await revocations.RecordAsync(context, AgentAuditActions.MachineDeleted, id.ToString(), new Dictionary<string, string> { ["label"] = machine.Label }).ConfigureAwait(false);
        await machines.DeleteAsync([id], by, tenant, CancellationToken.None).ConfigureAwait(false);
        return Results.NoContent();
    }

    // Bounded: at most MachineService.MaxBulk ids. One event per machine, each recorded before the deletion.
    private static async Task<IResult> DeleteManyAsync(
        [FromBody] MachineDeleteRequest request, HttpContext context, MachineService machines, RevocationAudit revocations, IAuditLog audit, CancellationToken cancellationToken)
    {
        if (request.Ids is not { Count: > 0 } ids || ids.Count > MachineService.MaxBulk)
        {
            return await audit.RefuseAsync(context, new Refusal(KeywardErrors.MachineIdsInvalid, AuditAction: null)).ConfigureAwait(false);
        }

        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var tenant = TenantScope.Of(session.AccountId);
        var found = new List<MachineInfo>();
        foreach (var id in ids.Distinct())
        {
            if (await machines.FindAsync(id, tenant, cancellationToken).ConfigureAwait(false) is { } machine)
            {
                found.Add(machine);
            }
        }

        foreach (var machine in found)
        {
            await revocations.RecordAsync(context, AgentAuditActions.MachineDeleted, machine.Id.ToString(), new Dictionary<string, string> { ["label"] = machine.Label, ["bulk"] = "true" }).ConfigureAwait(false);
        }

        var deleted = await machines.DeleteAsync([.. found.Select(m => m.Id)], session.AccountId, tenant, CancellationToken.None).ConfigureAwait(false);
        return AdminNoStore(context, Results.Json(new MachinesDeletedResponse(deleted, [.. ids.Distinct().Except(deleted)]), AgentsJsonContext.Relaxed.MachinesDeletedResponse));
    }

    private static IResult AdminNoStore(HttpContext context, IResult result)
    {
        context.Response.Headers.CacheControl = "no-store";
        return result;
    }
}
