using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>POST /api/approvals: an operation of the closed set, on the caller's authority.</summary>
internal sealed record ProposeRequest(
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("parameters")] Dictionary<string, string>? Parameters);
