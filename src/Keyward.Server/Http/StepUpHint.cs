using System.Text.Json.Serialization;

namespace Keyward.Server.Http;

/// <summary>What a <c>step_up_required</c> problem tells the client to do: begin a step-up for this purpose and target.</summary>
/// <param name="Purpose">The step-up purpose the action needs.</param>
/// <param name="Target">What it is bound to within the purpose (a key id), or null.</param>
/// <param name="Begin">Where to begin it.</param>
internal sealed record StepUpHint(
    [property: JsonPropertyName("purpose")] string Purpose,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("begin")] string Begin);
