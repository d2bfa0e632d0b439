using System.Text.Json.Serialization;

namespace Keyward.Client;

/// <summary>The answer to a finished sign-in (<c>/session/login/finish</c>): the session token and its lifetimes.</summary>
/// <param name="SessionToken">The <c>kws_…</c> token, sent later as <c>Authorization: Bearer</c>. A secret.</param>
/// <param name="ExpiresAt">The session's absolute expiry.</param>
/// <param name="IdleExpiresAt">When it idles out if unused.</param>
/// <param name="Account">The account signed in.</param>
/// <param name="UserVerified">Whether the assertion verified the user.</param>
public sealed record SignInResult(
    [property: JsonPropertyName("session_token")] string SessionToken,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("idle_expires_at")] DateTimeOffset IdleExpiresAt,
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("user_verified")] bool UserVerified)
{
    /// <summary>Never prints the token.</summary>
    public override string ToString() => $"session of {Account} until {ExpiresAt:O}";
}
