using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>GET /api/admin/accounts/{name}.</summary>
/// <param name="Name">The account name.</param>
/// <param name="Role">Its role.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Disabled">Whether an admin disabled it.</param>
/// <param name="DisabledAt">When, if disabled.</param>
/// <param name="Keys">Its security keys, oldest first.</param>
/// <param name="Sessions">Its live sessions, newest first.</param>
internal sealed record AccountDetailResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("disabled")] bool Disabled,
    [property: JsonPropertyName("disabled_at")] DateTimeOffset? DisabledAt,
    [property: JsonPropertyName("keys")] List<AccountKeyItem> Keys,
    [property: JsonPropertyName("sessions")] List<AccountSessionItem> Sessions);
