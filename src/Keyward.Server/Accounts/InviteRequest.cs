using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>POST /api/admin/invites.</summary>
internal sealed record InviteRequest(
    [property: JsonPropertyName("account_name")] string AccountName,
    [property: JsonPropertyName("role")] string? Role);
