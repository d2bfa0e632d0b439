using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>One account in GET /api/admin/accounts.</summary>
/// <param name="Name">The account name.</param>
/// <param name="Role">Its role.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Disabled">Whether an admin disabled it.</param>
/// <param name="DisabledAt">When, if disabled.</param>
/// <param name="KeyCount">How many security keys it has.</param>
/// <param name="SessionCount">How many sessions are open (not ended, within their absolute lifetime).</param>
internal sealed record AccountListItem(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("disabled")] bool Disabled,
    [property: JsonPropertyName("disabled_at")] DateTimeOffset? DisabledAt,
    [property: JsonPropertyName("key_count")] int KeyCount,
    [property: JsonPropertyName("session_count")] int SessionCount);
