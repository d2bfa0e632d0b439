using Keyward.Core.Accounts;
using Keyward.Core.Sessions;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.Accounts;

/// <summary>
/// The admin reads (mapped by <see cref="AdminEndpoints"/>): accounts by page, one account with its keys and sessions,
/// and the pending invites (never their tokens). They need the admin role but no step-up: they change nothing.
/// </summary>
internal static class AdminReadEndpoints
{
    /// <summary>The page size when <c>limit</c> is not given.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The largest page.</summary>
    public const int MaxLimit = 500;

    /// <summary>GET /api/admin/accounts?limit=&amp;after=: a page of accounts by name.</summary>
    public static async Task<IResult> ListAccountsAsync([FromQuery] int? limit, [FromQuery] string? after, HttpContext context, AccountService accounts, CancellationToken cancellationToken)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit || after is { Length: > SignInService.MaxName })
        {
            return Problems.Result(KeywardErrors.PageInvalid);
        }

        var page = await accounts.ListAccountsAsync(after, size, cancellationToken).ConfigureAwait(false);
        List<AccountListItem> items = [.. page.Select(a => new AccountListItem(
            a.Name, a.Role, DateTimeOffset.FromUnixTimeMilliseconds(a.CreatedAt), a.DisabledAt is not null, ToTime(a.DisabledAt), a.KeyCount, a.SessionCount))];
        var next = items.Count == size ? items[^1].Name : null;
        return AdminEndpoints.NoStore(context, Results.Json(new AccountListResponse(items, next), AccountsJsonContext.Relaxed.AccountListResponse));
    }

    /// <summary>GET /api/admin/accounts/{name}: the account, its keys and its live sessions.</summary>
    public static async Task<IResult> ShowAccountAsync(string name, HttpContext context, AccountService accounts, SessionService sessions, CancellationToken cancellationToken)
    {
        var account = await accounts.FindAccountAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return Problems.Result(KeywardErrors.AccountNotFound.Saying($"No account named \"{name}\"."));
        }

        var keys = await accounts.ListAuthenticatorsAsync(account.Id, cancellationToken).ConfigureAwait(false);
        var live = await sessions.ListAsync(account.Id, cancellationToken).ConfigureAwait(false);
        var response = new AccountDetailResponse(
            account.Name, account.Role, DateTimeOffset.FromUnixTimeMilliseconds(account.CreatedAt), account.DisabledAt is not null, ToTime(account.DisabledAt),
            [.. keys.Select(k => new AccountKeyItem(k.Id, k.Name, DateTimeOffset.FromUnixTimeMilliseconds(k.CreatedAt), ToTime(k.LastUsedAt), k.BackupEligible, k.BackedUp))],
            [.. live.Select(s => new AccountSessionItem(
                s.Id, DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(s.LastSeenAt),
                DateTimeOffset.FromUnixTimeMilliseconds(s.ExpiresAt), s.ClientAddress, s.UserVerified, s.AuthenticatorId))]);
        return AdminEndpoints.NoStore(context, Results.Json(response, AccountsJsonContext.Relaxed.AccountDetailResponse));
    }

    /// <summary>GET /api/admin/invites?limit=: pending invites (unused, unexpired), oldest first, without tokens.</summary>
    public static async Task<IResult> ListInvitesAsync([FromQuery] int? limit, HttpContext context, AccountService accounts, CancellationToken cancellationToken)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            return Problems.Result(KeywardErrors.PageInvalid);
        }

        var invites = await accounts.ListPendingInvitesAsync(size, cancellationToken).ConfigureAwait(false);
        var creators = new Dictionary<Guid, string?>();
        foreach (var by in invites.Select(i => i.CreatedBy).OfType<Guid>().Distinct())
        {
            creators[by] = (await accounts.GetAccountAsync(by, cancellationToken).ConfigureAwait(false))?.Name;
        }

        List<InviteListItem> items = [.. invites.Select(i => new InviteListItem(
            i.Id, i.AccountName, i.Role, i.AccountId is not null, i.CreatedBy is { } by ? creators.GetValueOrDefault(by) : null,
            DateTimeOffset.FromUnixTimeMilliseconds(i.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(i.ExpiresAt)))];
        return AdminEndpoints.NoStore(context, Results.Json(items, AccountsJsonContext.Relaxed.ListInviteListItem));
    }

    private static DateTimeOffset? ToTime(long? unixMs) => unixMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
