using System.Text.Json.Serialization;

namespace Keyward.Client;

/// <summary>The answer to a finished key registration (<c>/api/register/finish</c>).</summary>
/// <param name="Account">The account the key now belongs to.</param>
/// <param name="Role">That account's role.</param>
/// <param name="Key">The key as Keyward registered it.</param>
public sealed record Registration(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("key")] RegisteredKey Key);
