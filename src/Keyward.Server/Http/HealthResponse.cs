using System.Text.Json.Serialization;

namespace Keyward.Server.Http;

/// <summary>GET /healthz.</summary>
/// <param name="Status">"ok".</param>
internal sealed record HealthResponse(
    [property: JsonPropertyName("status")] string Status);
