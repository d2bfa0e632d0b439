using System.Text.Json.Serialization;

namespace Keyward.Server.StepUp;

/// <summary>POST /session/step-up/finish: the step-up the session now holds.</summary>
/// <param name="Purpose">Its purpose.</param>
/// <param name="Target">Its target, if any.</param>
/// <param name="ExpiresAt">When it stops counting (its last valid moment).</param>
/// <param name="SingleUse">Whether the action it allows spends it.</param>
internal sealed record StepUpResponse(
    [property: JsonPropertyName("purpose")] string Purpose,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("single_use")] bool SingleUse);
