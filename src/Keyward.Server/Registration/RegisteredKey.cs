using System.Text.Json.Serialization;

namespace Keyward.Server.Registration;

/// <summary>The key a registration created.</summary>
/// <param name="Id">The key id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Format">The attestation format.</param>
/// <param name="UserVerified">Whether registration verified the user.</param>
internal sealed record RegisteredKey(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("user_verified")] bool UserVerified);
