using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>
/// POST /api/admin/invites. With <c>reenroll</c>, the invite registers a new key for the existing account of that name.
/// <c>lifetime_seconds</c> shortens the invite's life: 60 to <c>Keyward:SignIn:InviteLifetime</c> (the default when left out).
/// </summary>
internal sealed record InviteRequest(
    [property: JsonPropertyName("account_name")] string AccountName,
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("reenroll")] bool Reenroll = false,
    [property: JsonPropertyName("lifetime_seconds")] long? LifetimeSeconds = null);
