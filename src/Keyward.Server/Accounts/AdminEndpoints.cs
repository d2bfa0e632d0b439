using Keyward.Core.Accounts;
using Keyward.Core.Accounts.Names;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Keyward.Server.StepUp;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Accounts;

/// <summary>
/// Admin actions: invites (for a new account, or re-enrolling an existing one) and revoking every session of an
/// account. Every state-changing admin endpoint needs an <c>admin</c> step-up within its window; reads would not.
/// </summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(AuthorizationPolicies.Admin);
        admin.MapPost("/invites", CreateInviteAsync).AddEndpointFilter(StepUpEndpoints.RequireAdminAsync);
        admin.MapPost("/accounts/{name}/revoke-sessions", RevokeAllAsync).AddEndpointFilter(StepUpEndpoints.RequireAdminAsync);
    }

    private static async Task<IResult> CreateInviteAsync([FromBody] InviteRequest request, HttpContext context, AccountService accounts, IOptions<SignInOptions> options, IAuditLog audit, CancellationToken cancellationToken)
    {
        var name = request.AccountName?.Trim();
        var role = request.Role ?? Roles.User;
        if (string.IsNullOrEmpty(name) || name.Length > AccountName.MaxInputLength)
        {
            return await audit.RefuseAsync(context, AuditActions.InviteCreated, KeywardErrors.UsernameRequired.Saying("account_name is 1 to 200 characters.")).ConfigureAwait(false);
        }

        // A re-enrollment names an existing account as typed; a new account's name is prepared (RFC 8265), stored in that
        // form, and must look like no existing account's.
        AccountName? prepared = null;
        if (!request.Reenroll && !AccountName.TryPrepare(name, out prepared, out var fault))
        {
            return await audit.RefuseAsync(context, AuditActions.InviteCreated, AccountNameErrors.For(fault)).ConfigureAwait(false);
        }

        var existing = prepared is null
            ? await accounts.FindAccountByTypedNameAsync(name, cancellationToken).ConfigureAwait(false)
            : await accounts.FindLookAlikeAsync(prepared, cancellationToken).ConfigureAwait(false);
        name = prepared?.Value ?? existing?.Name ?? name;
        if (request.Reenroll)
        {
            if (existing is null)
            {
                return await audit.RefuseAsync(context, AuditActions.InviteCreated, KeywardErrors.AccountNotFound.Saying($"No account named \"{name}\" to re-enroll."), name).ConfigureAwait(false);
            }

            // A re-enrollment invite keeps the account's own role.
            role = existing.Role;
        }
        else if (!Roles.IsKnown(role))
        {
            return await audit.RefuseAsync(context, AuditActions.InviteCreated, KeywardErrors.RoleUnknown, name).ConfigureAwait(false);
        }
        else if (existing is not null)
        {
            return await audit.RefuseAsync(context, AuditActions.InviteCreated, KeywardErrors.AccountExists.Saying($"An account named \"{existing.Name}\" already exists (names compare ignoring case, width and composition); to give it a new key, create a re-enrollment invite (\"reenroll\": true)."), name).ConfigureAwait(false);
        }

        var by = context.Features.GetRequiredFeature<SessionFeature>().Session.AccountId;
        var inviteId = Guid.NewGuid();
        var details = new Dictionary<string, string>
        {
            ["account_name"] = name,
            ["role"] = role,
        };
        if (existing is not null)
        {
            details["reenroll_account_id"] = existing.Id.ToString();
        }

        await audit.RecordAsync(context, AuditActions.InviteCreated, AuditOutcomes.Success, inviteId.ToString(), details: details).ConfigureAwait(false);
        var (token, invite) = await accounts.CreateInviteAsync(name, role, by, options.Value.InviteLifetime, inviteId, existing?.Id, CancellationToken.None).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(
            new InviteResponse(token, invite.AccountName, invite.Role, DateTimeOffset.FromUnixTimeMilliseconds(invite.ExpiresAt), invite.AccountId is not null),
            AccountsJsonContext.Default.InviteResponse);
    }

    private static async Task<IResult> RevokeAllAsync(string name, HttpContext context, AccountService accounts, SessionService sessions, IAuditLog audit, CancellationToken cancellationToken)
    {
        var account = name.Length > AccountName.MaxInputLength ? null : await accounts.FindAccountByTypedNameAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return await audit.RefuseAsync(context, AuditActions.SessionsRevokedAll, KeywardErrors.AccountNotFound.Saying($"No account named \"{name}\"."), name).ConfigureAwait(false);
        }

        await audit.RecordAsync(context, AuditActions.SessionsRevokedAll, AuditOutcomes.Success, account.Name, details: new Dictionary<string, string> { ["account_id"] = account.Id.ToString() }).ConfigureAwait(false);

        var revoked = await sessions.RevokeAllAsync(account.Id, CancellationToken.None).ConfigureAwait(false);
        return Results.Json(new SessionsRevokedResponse(account.Name, revoked), AccountsJsonContext.Default.SessionsRevokedResponse);
    }
}
