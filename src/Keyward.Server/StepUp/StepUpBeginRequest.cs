using System.Text.Json.Serialization;

namespace Keyward.Server.StepUp;

/// <summary>POST /session/step-up/begin.</summary>
internal sealed record StepUpBeginRequest(
    [property: JsonPropertyName("purpose")] string? Purpose,
    [property: JsonPropertyName("target")] string? Target);
