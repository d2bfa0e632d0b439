using System.Text.Json.Serialization;

namespace Keyward.Server.Support;

/// <summary>POST /api/support/sessions: a machine (or none: ad hoc), why, and whether the person at the machine must consent.</summary>
internal sealed record OpenSupportSessionRequest(
    [property: JsonPropertyName("machine_id")] Guid? MachineId,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("attended")] bool? Attended);
