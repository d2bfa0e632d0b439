using System.Text.Json.Serialization;

namespace Keyward.Server.Agents;

/// <summary>Who may join a machine's support sessions: account names and roles.</summary>
/// <param name="Accounts">Account names (at most 100).</param>
/// <param name="Roles">Roles: <c>admin</c>, <c>user</c>.</param>
internal sealed record JoinersBody(
    [property: JsonPropertyName("accounts")] IReadOnlyList<string>? Accounts,
    [property: JsonPropertyName("roles")] IReadOnlyList<string>? Roles);
