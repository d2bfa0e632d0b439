using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyward.Server.Sessions;

/// <summary>POST /session/login/finish, /session/step-up/finish and /api/register/finish.</summary>
internal sealed record CeremonyFinishRequest(
    [property: JsonPropertyName("ceremony_id")] Guid CeremonyId,
    [property: JsonPropertyName("credential")] JsonElement Credential,
    [property: JsonPropertyName("setup_code")] string? SetupCode = null,
    [property: JsonPropertyName("invite")] string? Invite = null,
    [property: JsonPropertyName("recovery_code")] string? RecoveryCode = null);
