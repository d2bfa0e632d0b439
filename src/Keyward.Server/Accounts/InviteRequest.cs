using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>POST /api/admin/invites. With <c>reenroll</c>, the invite registers a new key for the existing account of that name.</summary>
internal sealed record InviteRequest(
    [property: JsonPropertyName("account_name")] string AccountName,
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("reenroll")] bool Reenroll = false);
