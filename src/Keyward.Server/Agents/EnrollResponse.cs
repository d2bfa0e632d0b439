using System.Text.Json.Serialization;

namespace Keyward.Server.Agents;

/// <summary>POST /agent/v1/enroll. Carries the agent key (shown once): never cached.</summary>
internal sealed record EnrollResponse(
    [property: JsonPropertyName("machine_id")] Guid MachineId,
    [property: JsonPropertyName("agent_key")] string AgentKey,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("policy")] string Policy,
    [property: JsonPropertyName("heartbeat_seconds")] int HeartbeatSeconds)
{
    /// <inheritdoc/>
    public override string ToString() => $"machine {MachineId} enrolled (agent key redacted)";
}
