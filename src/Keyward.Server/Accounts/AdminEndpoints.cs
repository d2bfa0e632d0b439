using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Accounts;

/// <summary>Admin actions: invites and revoking every session of an account.</summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(AuthorizationPolicies.Admin);
        admin.MapPost("/invites", CreateInviteAsync);
        admin.MapPost("/accounts/{name}/revoke-sessions", RevokeAllAsync);
    }

    private static async Task<IResult> CreateInviteAsync([FromBody] InviteRequest request, HttpContext context, AccountService accounts, IOptions<SignInOptions> options, IAuditLog audit, CancellationToken cancellationToken)
    {
        var name = request.AccountName?.Trim();
        var role = request.Role ?? Roles.User;
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return await audit.RefuseAsync(context, AuditActions.InviteCreated, KeywardErrors.UsernameRequired.Saying("account_name is 1 to 200 characters.")).ConfigureAwait(false);
        }

        if (!Roles.IsKnown(role))
        {
            return await audit.RefuseAsync(context, AuditActions.InviteCreated, KeywardErrors.RoleUnknown, name).ConfigureAwait(false);
        }

        if (await accounts.FindAccountAsync(name, cancellationToken).ConfigureAwait(false) is not null)
        {
            return await audit.RefuseAsync(context, AuditActions.InviteCreated, KeywardErrors.AccountExists.Saying($"An account named \"{name}\" already exists; add keys from its own session instead."), name).ConfigureAwait(false);
        }

        var by = context.Features.GetRequiredFeature<SessionFeature>().Session.AccountId;
        var inviteId = Guid.NewGuid();
        await audit.RecordAsync(context, AuditActions.InviteCreated, AuditOutcomes.Success, inviteId.ToString(), details: new Dictionary<string, string>
        {
            ["account_name"] = name,
            ["role"] = role,
        }).ConfigureAwait(false);
        var (token, invite) = await accounts.CreateInviteAsync(name, role, by, options.Value.InviteLifetime, inviteId, CancellationToken.None).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new InviteResponse(token, invite.AccountName, invite.Role, DateTimeOffset.FromUnixTimeMilliseconds(invite.ExpiresAt)), AccountsJsonContext.Default.InviteResponse);
    }

    private static async Task<IResult> RevokeAllAsync(string name, HttpContext context, AccountService accounts, SessionService sessions, IAuditLog audit, CancellationToken cancellationToken)
    {
        var account = await accounts.FindAccountAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return await audit.RefuseAsync(context, AuditActions.SessionsRevokedAll, KeywardErrors.AccountNotFound.Saying($"No account named \"{name}\"."), name).ConfigureAwait(false);
        }

        await audit.RecordAsync(context, AuditActions.SessionsRevokedAll, AuditOutcomes.Success, account.Name, details: new Dictionary<string, string> { ["account_id"] = account.Id.ToString() }).ConfigureAwait(false);

        var revoked = await sessions.RevokeAllAsync(account.Id, CancellationToken.None).ConfigureAwait(false);
        return Results.Json(new SessionsRevokedResponse(account.Name, revoked), AccountsJsonContext.Default.SessionsRevokedResponse);
    }
}
