using System.Text.Json.Serialization;

namespace Keyward.Server.Registration;

/// <summary>POST /api/register/finish.</summary>
/// <param name="Account">The account name.</param>
/// <param name="Role">The account role.</param>
/// <param name="Key">The new key.</param>
internal sealed record RegistrationResponse(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("key")] RegisteredKey Key);
