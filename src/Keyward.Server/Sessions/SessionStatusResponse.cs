using System.Text.Json.Serialization;

namespace Keyward.Server.Sessions;

/// <summary>POST /session/status.</summary>
/// <param name="Active">Always true (an ended session gets 401).</param>
/// <param name="Account">The account name.</param>
/// <param name="Role">The account role.</param>
/// <param name="SessionId">The session id.</param>
/// <param name="UserVerified">Whether the sign-in verified the user.</param>
/// <param name="CreatedAt">Sign-in time.</param>
/// <param name="ExpiresAt">Absolute expiry.</param>
/// <param name="IdleExpiresAt">Idle expiry if unused.</param>
internal sealed record SessionStatusResponse(
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("session_id")] Guid SessionId,
    [property: JsonPropertyName("user_verified")] bool UserVerified,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("idle_expires_at")] DateTimeOffset IdleExpiresAt);
