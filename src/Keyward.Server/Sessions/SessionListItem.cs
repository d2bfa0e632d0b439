using System.Text.Json.Serialization;

namespace Keyward.Server.Sessions;

/// <summary>One of the caller's sessions (GET /session/list).</summary>
/// <param name="Id">The session id.</param>
/// <param name="Current">Whether it is the session asking.</param>
/// <param name="CreatedAt">Sign-in time.</param>
/// <param name="ExpiresAt">Absolute expiry.</param>
/// <param name="UserVerified">Whether the sign-in verified the user.</param>
/// <param name="ClientAddress">The address it was opened from.</param>
/// <param name="Device">A coarse device name from the sign-in's User-Agent ("Chrome on Linux"), when it named one.</param>
/// <param name="LastSeenAt">Its latest use.</param>
internal sealed record SessionListItem(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("current")] bool Current,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("user_verified")] bool UserVerified,
    [property: JsonPropertyName("client_address")] string? ClientAddress,
    [property: JsonPropertyName("device")] string? Device,
    [property: JsonPropertyName("last_seen_at")] DateTimeOffset LastSeenAt);
