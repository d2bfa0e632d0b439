using System.Text.Json.Serialization;

namespace Keyward.Client;

/// <summary>A step-up the session now holds (<c>/session/step-up/finish</c>).</summary>
/// <param name="Purpose">What it allows: <c>admin</c>, <c>key.add</c>, <c>key.remove</c> or <c>recovery.regenerate</c>.</param>
/// <param name="Target">What it is bound to within the purpose (a key id), or null.</param>
/// <param name="ExpiresAt">Its last valid moment.</param>
/// <param name="SingleUse">Whether the action it allows spends it.</param>
public sealed record StepUpResult(
    [property: JsonPropertyName("purpose")] string Purpose,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("single_use")] bool SingleUse);
