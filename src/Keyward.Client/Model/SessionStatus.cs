using System.Text.Json.Serialization;

namespace Keyward.Client;

/// <summary>The current session as Keyward sees it (<c>/session/status</c>).</summary>
/// <param name="Active">True for a live session (a dead one is refused instead).</param>
/// <param name="Account">The account.</param>
/// <param name="Role">The account's role.</param>
/// <param name="SessionId">The session's id (not a secret; names it for revocation).</param>
/// <param name="UserVerified">Whether the sign-in verified the user.</param>
/// <param name="CreatedAt">Sign-in time.</param>
/// <param name="ExpiresAt">Absolute expiry.</param>
/// <param name="IdleExpiresAt">When it idles out if unused.</param>
public sealed record SessionStatus(
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("session_id")] Guid SessionId,
    [property: JsonPropertyName("user_verified")] bool UserVerified,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("idle_expires_at")] DateTimeOffset IdleExpiresAt);
