using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Server.Approvals;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.StepUp;
using Keyward.WebAuthn;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.Accounts;

/// <summary>A person's own security keys: list, rename, remove (with a <c>key.remove</c> step-up for that key; it ends the sessions that key opened).</summary>
internal static class KeyEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").RequireAuthorization(AuthorizationPolicies.Session);
        keys.MapGet("/", ListAsync).Produces<List<KeyListItem>>();
        keys.MapPatch("/{id:guid}", RenameAsync).Produces(StatusCodes.Status204NoContent).Refuses(KeywardErrors.KeyNameInvalid, KeywardErrors.KeyNotFound);
        keys.MapDelete("/{id:guid}", RemoveAsync).Produces<KeyRemovedResponse>().WithQueryParameters("lost")
            .Refuses(KeywardErrors.KeyNotFound, KeywardErrors.LastKey, KeywardErrors.StepUpRequired, KeywardErrors.ApprovalRequired, KeywardErrors.ApprovalWouldStrand);
    }

    private static async Task<IResult> ListAsync(HttpContext context, AccountService accounts, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var keys = await accounts.ListAuthenticatorsAsync(session.AccountId, cancellationToken).ConfigureAwait(false);
        List<KeyListItem> items = [.. keys.Select(k => new KeyListItem(
            k.Id, k.Name, Base64Url.Encode(k.CredentialId), k.Format, Convert.ToHexStringLower(k.Aaguid), k.BackupEligible,
            DateTimeOffset.FromUnixTimeMilliseconds(k.CreatedAt), k.LastUsedAt is { } used ? DateTimeOffset.FromUnixTimeMilliseconds(used) : null,
            k.Id == session.AuthenticatorId, k.Transports.Split(',', StringSplitOptions.RemoveEmptyEntries)))];
        return Results.Json(items, AccountsJsonContext.Relaxed.ListKeyListItem);
    }

    private static async Task<IResult> RenameAsync(Guid id, [FromBody] RenameKeyRequest request, HttpContext context, AccountService accounts, IAuditLog audit, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return Problems.Result(KeywardErrors.KeyNameInvalid);
        }

        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var keys = await accounts.ListAuthenticatorsAsync(session.AccountId, cancellationToken).ConfigureAwait(false);
        if (keys.All(k => k.Id != id))
        {
            return await audit.RefuseAsync(context, AuditActions.KeyRenamed, KeywardErrors.KeyNotFound, id.ToString()).ConfigureAwait(false);
        }

        await audit.RecordAsync(context, AuditActions.KeyRenamed, AuditOutcomes.Success, id.ToString(), details: new Dictionary<string, string> { ["name"] = name }).ConfigureAwait(false);
        await accounts.RenameAuthenticatorAsync(session.AccountId, id, name, CancellationToken.None).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> RemoveAsync(
        Guid id, HttpContext context, AccountService accounts, SessionService sessions, StepUpGate stepUp, IAuditLog audit, RevocationAudit revocations, AdminKeyGate adminKeys, CancellationToken cancellationToken)
    {
        // ?lost=true: the key is lost or stolen, so it goes now, whatever a quorum governs (docs/approvals.md, "Admin keys").
        var lost = string.Equals(context.Request.Query["lost"], "true", StringComparison.Ordinal);
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var keys = await accounts.ListAuthenticatorsAsync(session.AccountId, cancellationToken).ConfigureAwait(false);
        if (keys.All(k => k.Id != id))
        {
            return await audit.RefuseAsync(context, AuditActions.KeyRemoved, KeywardErrors.KeyNotFound, id.ToString()).ConfigureAwait(false);
        }

        if (keys.Count == 1)
        {
            return await audit.RefuseAsync(context, AuditActions.KeyRemoved, KeywardErrors.LastKey, id.ToString()).ConfigureAwait(false);
        }

        if (await adminKeys.CheckRemoveAsync(session, id, lost, cancellationToken).ConfigureAwait(false) is { } governed)
        {
            return await audit.RefuseAsync(context, governed).ConfigureAwait(false);
        }

        // The key.remove step-up for this very key, spent now: two racing removals with one step-up cannot both pass.
        if (await stepUp.ConsumeAsync(session, StepUpPurposes.KeyRemove, id.ToString(), cancellationToken).ConfigureAwait(false) is { } noStepUp)
        {
            return await audit.RefuseAsync(context, noStepUp).ConfigureAwait(false);
        }

        await revocations.RecordAsync(context, AuditActions.KeyRemoved, id.ToString(), new Dictionary<string, string> { ["ends_its_sessions"] = "true", ["lost"] = lost ? "true" : "false" }).ConfigureAwait(false);
        await accounts.RemoveAuthenticatorAsync(session.AccountId, id, CancellationToken.None).ConfigureAwait(false);
        await adminKeys.AfterRemovalAsync(Caller.Of(context), session.AccountId, id, CancellationToken.None).ConfigureAwait(false);
        var ended = await sessions.RevokeForAuthenticatorAsync(id, CancellationToken.None).ConfigureAwait(false);
        return Results.Json(new KeyRemovedResponse(true, ended), AccountsJsonContext.Relaxed.KeyRemovedResponse);
    }
}
