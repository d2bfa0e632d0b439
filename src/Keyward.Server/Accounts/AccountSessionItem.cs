using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>One live session of an account in GET /api/admin/accounts/{name}.</summary>
/// <param name="Id">The session id.</param>
/// <param name="CreatedAt">When it opened.</param>
/// <param name="LastSeenAt">Its last use as stored (a node writes it back at most every few seconds).</param>
/// <param name="ExpiresAt">Its absolute expiry.</param>
/// <param name="ClientAddress">The address it was opened from, as Keyward saw it.</param>
/// <param name="UserVerified">Whether its sign-in verified the person (PIN or biometric).</param>
/// <param name="KeyId">The key that opened it.</param>
internal sealed record AccountSessionItem(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("last_seen_at")] DateTimeOffset LastSeenAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("client_address")] string? ClientAddress,
    [property: JsonPropertyName("user_verified")] bool UserVerified,
    [property: JsonPropertyName("key_id")] Guid KeyId);
