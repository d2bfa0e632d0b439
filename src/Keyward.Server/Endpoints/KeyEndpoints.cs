using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Server.Audit;
using Keyward.Server.Authentication;
using Keyward.WebAuthn;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.Endpoints;

/// <summary>A person's own security keys: list, rename, remove (which ends the sessions that key opened).</summary>
internal static class KeyEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").RequireAuthorization(AuthorizationPolicies.Session);
        keys.MapGet("/", ListAsync);
        keys.MapPatch("/{id:guid}", RenameAsync);
        keys.MapDelete("/{id:guid}", RemoveAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, AccountService accounts, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var keys = await accounts.ListAuthenticatorsAsync(session.AccountId, cancellationToken).ConfigureAwait(false);
        return Results.Json(keys.Select(k => new Dictionary<string, object?>
        {
            ["id"] = k.Id,
            ["name"] = k.Name,
            ["credential_id"] = Base64Url.Encode(k.CredentialId),
            ["format"] = k.Format,
            ["aaguid"] = Convert.ToHexStringLower(k.Aaguid),
            ["backup_eligible"] = k.BackupEligible,
            ["created_at"] = DateTimeOffset.FromUnixTimeMilliseconds(k.CreatedAt),
            ["last_used_at"] = k.LastUsedAt is { } used ? DateTimeOffset.FromUnixTimeMilliseconds(used) : null,
            ["current"] = k.Id == session.AuthenticatorId,
        }));
    }

    private static async Task<IResult> RenameAsync(Guid id, [FromBody] RenameKeyRequest request, HttpContext context, AccountService accounts, IAuditLog audit, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return Problems.Create(400, "name_invalid", "A key name is 1 to 200 characters.");
        }

        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var keys = await accounts.ListAuthenticatorsAsync(session.AccountId, cancellationToken).ConfigureAwait(false);
        if (keys.All(k => k.Id != id))
        {
            return await audit.RefuseAsync(context, AuditActions.KeyRenamed, 404, "key_not_found", "You have no key with that id.", id.ToString()).ConfigureAwait(false);
        }

        await audit.RecordAsync(context, AuditActions.KeyRenamed, AuditOutcomes.Success, id.ToString(), details: new Dictionary<string, string> { ["name"] = name }).ConfigureAwait(false);
        await accounts.RenameAuthenticatorAsync(session.AccountId, id, name, CancellationToken.None).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> RemoveAsync(Guid id, HttpContext context, AccountService accounts, SessionService sessions, IAuditLog audit, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var keys = await accounts.ListAuthenticatorsAsync(session.AccountId, cancellationToken).ConfigureAwait(false);
        if (keys.All(k => k.Id != id))
        {
            return await audit.RefuseAsync(context, AuditActions.KeyRemoved, 404, "key_not_found", "You have no key with that id.", id.ToString()).ConfigureAwait(false);
        }

        if (keys.Count == 1)
        {
            return await audit.RefuseAsync(context, AuditActions.KeyRemoved, 409, "last_key", "This is your only key; register another before removing it, or you could not sign in again.", id.ToString()).ConfigureAwait(false);
        }

        await audit.RecordAsync(context, AuditActions.KeyRemoved, AuditOutcomes.Success, id.ToString(), details: new Dictionary<string, string> { ["ends_its_sessions"] = "true" }).ConfigureAwait(false);
        await accounts.RemoveAuthenticatorAsync(session.AccountId, id, CancellationToken.None).ConfigureAwait(false);
        var ended = await sessions.RevokeForAuthenticatorAsync(id, CancellationToken.None).ConfigureAwait(false);
        return Results.Json(new Dictionary<string, object> { ["removed"] = true, ["sessions_ended"] = ended });
    }
}
