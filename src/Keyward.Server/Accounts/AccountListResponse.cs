using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>GET /api/admin/accounts: one page, by name.</summary>
/// <param name="Accounts">The page.</param>
/// <param name="NextAfter">The <c>after</c> value for the next page, or null when this was the last.</param>
internal sealed record AccountListResponse(
    [property: JsonPropertyName("accounts")] List<AccountListItem> Accounts,
    [property: JsonPropertyName("next_after")] string? NextAfter);
