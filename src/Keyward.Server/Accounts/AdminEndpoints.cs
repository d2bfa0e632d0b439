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
/// Admin actions: invites (for a new account, or re-enrolling an existing one; list and revoke pending ones), accounts
/// (list, show, disable, enable) and revoking every session of an account. Every state-changing admin endpoint needs an
/// <c>admin</c> step-up within its window; reads need only the admin role. Reads answer <c>Cache-Control: no-store</c>.
/// </summary>
internal static class AdminEndpoints
{
    /// <summary>The shortest invite an admin may ask for, in seconds.</summary>
    public const long MinInviteLifetimeSeconds = 60;

    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(AuthorizationPolicies.Admin);
        admin.MapPost("/invites", CreateInviteAsync).RequireAdminStepUp().Produces<InviteResponse>().Refuses(
            KeywardErrors.UsernameRequired, KeywardErrors.UsernameInvalid, KeywardErrors.AccountNotFound, KeywardErrors.RoleUnknown, KeywardErrors.AccountExists, KeywardErrors.RequestInvalid);
        admin.MapPost("/accounts/{name}/revoke-sessions", RevokeAllAsync).RequireAdminStepUp().Produces<SessionsRevokedResponse>().Refuses(KeywardErrors.AccountNotFound);
        admin.MapPost("/accounts/{name}/disable", DisableAsync).RequireAdminStepUp().Produces<AccountStateResponse>().Refuses(KeywardErrors.AccountNotFound, KeywardErrors.LastAdmin);
        admin.MapPost("/accounts/{name}/enable", EnableAsync).RequireAdminStepUp().Produces<AccountStateResponse>().Refuses(KeywardErrors.AccountNotFound);
        admin.MapGet("/accounts", AdminReadEndpoints.ListAccountsAsync).Produces<AccountListResponse>().Refuses(KeywardErrors.PageInvalid);
        admin.MapGet("/accounts/{name}", AdminReadEndpoints.ShowAccountAsync).Produces<AccountDetailResponse>().Refuses(KeywardErrors.AccountNotFound);
        admin.MapGet("/invites", AdminReadEndpoints.ListInvitesAsync).Produces<List<InviteListItem>>().Refuses(KeywardErrors.PageInvalid);
        admin.MapPost("/invites/{id:guid}/revoke", RevokeInviteAsync).RequireAdminStepUp().Produces(StatusCodes.Status204NoContent).Refuses(KeywardErrors.InviteNotFound);
    }

    private static async Task<IResult> CreateInviteAsync([FromBody] InviteRequest request, HttpContext context, AccountService accounts, IOptions<SignInOptions> options, IOptions<KeywardOptions> keyward, IAuditLog audit, CancellationToken cancellationToken)
    {
        var name = request.AccountName?.Trim();
        var role = request.Role ?? Roles.User;
        if (string.IsNullOrEmpty(name) || name.Length > AccountName.MaxInputLength)
        {
            return await audit.RefuseAsync(context, AuditActions.InviteCreated, KeywardErrors.UsernameRequired.Saying("account_name is 1 to 200 characters.")).ConfigureAwait(false);
        }

        // Compared as seconds before any TimeSpan is made: a huge number must be a refusal, not an overflow.
        var longest = options.Value.InviteLifetime;
        var lifetime = request.LifetimeSeconds is { } seconds && seconds >= MinInviteLifetimeSeconds && seconds <= longest.TotalSeconds ? TimeSpan.FromSeconds(seconds) : longest;
        if (request.LifetimeSeconds is { } asked && lifetime.TotalSeconds != asked)
        {
            return await audit.RefuseAsync(context, AuditActions.InviteCreated, KeywardErrors.RequestInvalid.Saying(
                $"lifetime_seconds is {MinInviteLifetimeSeconds} to {(long)longest.TotalSeconds} (Keyward:SignIn:InviteLifetime, the default)."), name).ConfigureAwait(false);
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
        var (token, invite) = await accounts.CreateInviteAsync(name, role, by, lifetime, inviteId, existing?.Id, CancellationToken.None).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        var link = $"{keyward.Value.EffectiveOrigin}/#invite={token}";
        return Results.Json(
            new InviteResponse(token, invite.AccountName, invite.Role, DateTimeOffset.FromUnixTimeMilliseconds(invite.ExpiresAt), invite.AccountId is not null, link, InviteQrCode.For(link)),
            AccountsJsonContext.Relaxed.InviteResponse);
    }

    private static async Task<IResult> RevokeAllAsync(
        string name, HttpContext context, AccountService accounts, SessionService sessions, IAuditLog audit, RevocationAudit revocations, CancellationToken cancellationToken)
    {
        var account = name.Length > AccountName.MaxInputLength ? null : await accounts.FindAccountByTypedNameAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return await audit.RefuseAsync(context, AuditActions.SessionsRevokedAll, KeywardErrors.AccountNotFound.Saying($"No account named \"{name}\"."), name).ConfigureAwait(false);
        }

        await revocations.RecordAsync(context, AuditActions.SessionsRevokedAll, account.Name, new Dictionary<string, string> { ["account_id"] = account.Id.ToString() }).ConfigureAwait(false);

        var revoked = await sessions.RevokeAllAsync(account.Id, CancellationToken.None).ConfigureAwait(false);
        return Results.Json(new SessionsRevokedResponse(account.Name, revoked), AccountsJsonContext.Relaxed.SessionsRevokedResponse);
    }

    // Disable: recorded first (an unrecorded disable never happens), then the state, then every session of the account
    // ends at once on this node (app sessions and WebSockets follow their parent). A sign-in racing the disable may open
    // a session after the sweep: SessionService refuses any session of a disabled account on its database check.
    private static async Task<IResult> DisableAsync(string name, HttpContext context, AccountService accounts, SessionService sessions, IAuditLog audit, CancellationToken cancellationToken)
    {
        var account = await accounts.FindAccountAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return await audit.RefuseAsync(context, AuditActions.AccountDisabled, KeywardErrors.AccountNotFound.Saying($"No account named \"{name}\"."), name).ConfigureAwait(false);
        }

        if (account.DisabledAt is null && account.Role == Roles.Admin && !await accounts.HasOtherEnabledAdminAsync(account.Id, cancellationToken).ConfigureAwait(false))
        {
            return await audit.RefuseAsync(context, AuditActions.AccountDisabled, KeywardErrors.LastAdmin, account.Name).ConfigureAwait(false);
        }

        await audit.RecordAsync(context, AuditActions.AccountDisabled, AuditOutcomes.Success, account.Name, details: new Dictionary<string, string> { ["account_id"] = account.Id.ToString() }).ConfigureAwait(false);
        var change = await accounts.DisableAsync(account.Id, CancellationToken.None).ConfigureAwait(false);
        if (change == AccountStateChange.LastAdmin)
        {
            // Another admin was disabled between the check above and the transaction: this one stays enabled.
            return await audit.RefuseAsync(context, AuditActions.AccountDisabled, KeywardErrors.LastAdmin, account.Name).ConfigureAwait(false);
        }

        var ended = await sessions.RevokeAllAsync(account.Id, RevocationReasons.AccountDisabled, CancellationToken.None).ConfigureAwait(false);
        return NoStore(context, Results.Json(new AccountStateResponse(account.Name, Disabled: true, change == AccountStateChange.Changed, ended), AccountsJsonContext.Relaxed.AccountStateResponse));
    }

    private static async Task<IResult> EnableAsync(string name, HttpContext context, AccountService accounts, IAuditLog audit, CancellationToken cancellationToken)
    {
        var account = await accounts.FindAccountAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return await audit.RefuseAsync(context, AuditActions.AccountEnabled, KeywardErrors.AccountNotFound.Saying($"No account named \"{name}\"."), name).ConfigureAwait(false);
        }

        await audit.RecordAsync(context, AuditActions.AccountEnabled, AuditOutcomes.Success, account.Name, details: new Dictionary<string, string> { ["account_id"] = account.Id.ToString() }).ConfigureAwait(false);
        var change = await accounts.EnableAsync(account.Id, CancellationToken.None).ConfigureAwait(false);
        return NoStore(context, Results.Json(new AccountStateResponse(account.Name, Disabled: false, change == AccountStateChange.Changed, 0), AccountsJsonContext.Relaxed.AccountStateResponse));
    }

    private static async Task<IResult> RevokeInviteAsync(Guid id, HttpContext context, AccountService accounts, IAuditLog audit, CancellationToken cancellationToken)
    {
        var invite = await accounts.FindPendingInviteAsync(id, cancellationToken).ConfigureAwait(false);
        if (invite is null)
        {
            return await audit.RefuseAsync(context, AuditActions.InviteRevoked, KeywardErrors.InviteNotFound, id.ToString()).ConfigureAwait(false);
        }

        await audit.RecordAsync(context, AuditActions.InviteRevoked, AuditOutcomes.Success, id.ToString(), details: new Dictionary<string, string> { ["account_name"] = invite.AccountName }).ConfigureAwait(false);
        if (!await accounts.RevokeInviteAsync(id, CancellationToken.None).ConfigureAwait(false))
        {
            // Used (or expired) between the check and the revocation: the success just recorded did not happen, and the
            // refusal after it says so.
            return await audit.RefuseAsync(context, AuditActions.InviteRevoked, KeywardErrors.InviteNotFound.Saying("The invite was used or expired while it was being revoked; nothing was revoked."), id.ToString()).ConfigureAwait(false);
        }

        return Results.NoContent();
    }

    /// <summary>Marks an admin answer not to be stored by any cache.</summary>
    internal static IResult NoStore(HttpContext context, IResult result)
    {
        context.Response.Headers.CacheControl = "no-store";
        return result;
    }
}
