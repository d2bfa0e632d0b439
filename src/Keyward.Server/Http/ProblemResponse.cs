using System.Text.Json.Serialization;

namespace Keyward.Server.Http;

/// <summary>An RFC 9457 problem as Keyward writes it (<see cref="Problems"/>).</summary>
/// <param name="Type">The problem type URI: <see cref="Problems.TypePrefix"/> and the code.</param>
/// <param name="Title">The status phrase.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Detail">The plain message.</param>
/// <param name="Code">The stable code.</param>
/// <param name="StepUp">For <c>step_up_required</c> only: the step-up to perform.</param>
internal sealed record ProblemResponse(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("step_up"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] StepUpHint? StepUp = null);
