using System.Text.Json.Serialization;

namespace Keyward.Server.Agents;

/// <summary>POST /agent/v1/enroll (optional body): what the agent reports about itself. Informational only: it selects nothing.</summary>
internal sealed record EnrollRequest(
    [property: JsonPropertyName("hostname")] string? Hostname = null,
    [property: JsonPropertyName("version")] string? Version = null);
