using Keyward.Core.Accounts;
using Keyward.Core.Sessions;
using Keyward.Server.Authentication;
using Keyward.Server.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Endpoints;

/// <summary>Admin actions: invites and revoking every session of an account.</summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(AuthorizationPolicies.Admin);
        admin.MapPost("/invites", CreateInviteAsync);
        admin.MapPost("/accounts/{name}/revoke-sessions", RevokeAllAsync);
    }

    private static async Task<IResult> CreateInviteAsync([FromBody] InviteRequest request, HttpContext context, AccountService accounts, IOptions<KeywardOptions> options, CancellationToken cancellationToken)
    {
        var name = request.AccountName?.Trim();
        var role = request.Role ?? Roles.User;
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return Problems.Create(400, "username_required", "account_name is 1 to 200 characters.");
        }

        if (!Roles.IsKnown(role))
        {
            return Problems.Create(400, "role_unknown", "role is \"user\" or \"admin\".");
        }

        if (await accounts.FindAccountAsync(name, cancellationToken).ConfigureAwait(false) is not null)
        {
            return Problems.Create(409, "account_exists", $"An account named \"{name}\" already exists; add keys from its own session instead.");
        }

        var by = context.Features.GetRequiredFeature<SessionFeature>().Session.AccountId;
        var (token, invite) = await accounts.CreateInviteAsync(name, role, by, options.Value.SignIn.InviteLifetime, cancellationToken).ConfigureAwait(false);
        return Results.Json(new Dictionary<string, object>
        {
            ["invite"] = token,
            ["account_name"] = invite.AccountName,
            ["role"] = invite.Role,
            ["expires_at"] = DateTimeOffset.FromUnixTimeMilliseconds(invite.ExpiresAt),
        });
    }

    private static async Task<IResult> RevokeAllAsync(string name, AccountService accounts, SessionService sessions, CancellationToken cancellationToken)
    {
        var account = await accounts.FindAccountAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return Problems.Create(404, "account_not_found", $"No account named \"{name}\".");
        }

        var revoked = await sessions.RevokeAllAsync(account.Id, cancellationToken).ConfigureAwait(false);
        return Results.Json(new Dictionary<string, object> { ["account"] = account.Name, ["revoked"] = revoked });
    }
}
