using System.Text.Json.Serialization;

namespace Keyward.Client;

/// <summary>The answer to a finished key registration (<c>/api/register/finish</c>).</summary>
/// <param name="Account">The account the key now belongs to.</param>
/// <param name="Role">That account's role.</param>
/// <param name="Key">The key as Keyward registered it.</param>
/// <param name="RecoveryCodes">A new account's ten recovery codes, shown this once (secrets); null otherwise.</param>
public sealed record Registration(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("key")] RegisteredKey Key,
    [property: JsonPropertyName("recovery_codes")] IReadOnlyList<string>? RecoveryCodes = null)
{
    /// <summary>Never prints the recovery codes.</summary>
    public override string ToString() => $"key {Key.Name} of {Account} ({Role})";
}
