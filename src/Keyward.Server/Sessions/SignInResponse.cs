using System.Text.Json.Serialization;

namespace Keyward.Server.Sessions;

/// <summary>A completed sign-in (login/finish). Carries the session token: never cached.</summary>
/// <param name="SessionToken">The kws_ token (also set as the session cookie).</param>
/// <param name="ExpiresAt">Absolute expiry.</param>
/// <param name="IdleExpiresAt">Idle expiry if unused.</param>
/// <param name="Account">The account name.</param>
/// <param name="UserVerified">Whether the sign-in verified the user.</param>
internal sealed record SignInResponse(
    [property: JsonPropertyName("session_token")] string SessionToken,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("idle_expires_at")] DateTimeOffset IdleExpiresAt,
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("user_verified")] bool UserVerified);
