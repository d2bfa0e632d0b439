using System.Text.Json.Serialization;

namespace Keyward.Client;

/// <summary>A registered key as Keyward describes it.</summary>
/// <param name="Id">The key's id (for renaming or removing it).</param>
/// <param name="Name">Its display name.</param>
/// <param name="Format">Its attestation format (<c>packed</c>, <c>none</c>, …).</param>
/// <param name="UserVerified">Whether the registration verified the user (PIN or biometrics).</param>
public sealed record RegisteredKey(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("user_verified")] bool UserVerified);
