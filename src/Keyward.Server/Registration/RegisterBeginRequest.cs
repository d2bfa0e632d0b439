using System.Text.Json.Serialization;

namespace Keyward.Server.Registration;

/// <summary>POST /api/register/begin.</summary>
internal sealed record RegisterBeginRequest(
    [property: JsonPropertyName("setup_code")] string? SetupCode,
    [property: JsonPropertyName("invite")] string? Invite,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("key_name")] string? KeyName,
    [property: JsonPropertyName("recovery_code")] string? RecoveryCode = null);
