using System.Text.Json.Serialization;

namespace Keyward.Server.Registration;

/// <summary>POST /api/register/finish. Never cached: a new account's answer carries its recovery codes.</summary>
/// <param name="Account">The account name.</param>
/// <param name="Role">The account role.</param>
/// <param name="Key">The new key.</param>
/// <param name="RecoveryCodes">A new account's recovery codes, shown this once; absent otherwise.</param>
internal sealed record RegistrationResponse(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("key")] RegisteredKey Key,
    [property: JsonPropertyName("recovery_codes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? RecoveryCodes = null);
