using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>One pending invite in GET /api/admin/invites. Never its token: only its hash is stored.</summary>
/// <param name="Id">The invite id (for revoking it).</param>
/// <param name="AccountName">The account it creates or re-enrolls.</param>
/// <param name="Role">The role it grants.</param>
/// <param name="Reenroll">Whether it registers a new key for an existing account.</param>
/// <param name="CreatedBy">The name of the admin who created it, or null (the account is gone).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it expires.</param>
internal sealed record InviteListItem(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("account_name")] string AccountName,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("reenroll")] bool Reenroll,
    [property: JsonPropertyName("created_by")] string? CreatedBy,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);
