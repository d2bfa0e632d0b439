using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>POST /api/admin/accounts/{name}/revoke-sessions.</summary>
/// <param name="Account">The account.</param>
/// <param name="Revoked">How many sessions were ended.</param>
internal sealed record SessionsRevokedResponse(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("revoked")] int Revoked);
