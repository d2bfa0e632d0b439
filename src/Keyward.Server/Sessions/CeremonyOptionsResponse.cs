using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyward.Server.Sessions;

/// <summary>The options of a WebAuthn ceremony (login/begin, register/begin).</summary>
/// <param name="CeremonyId">The ceremony to finish.</param>
/// <param name="PublicKey">The options for navigator.credentials (WebAuthn JSON).</param>
internal sealed record CeremonyOptionsResponse(
    [property: JsonPropertyName("ceremony_id")] Guid CeremonyId,
    [property: JsonPropertyName("public_key")] JsonElement PublicKey);
