using System.Text.Json.Serialization;

namespace Keyward.Server.Agents;

/// <summary>POST /api/admin/machines/delete: which were deleted now, and which were missing (unknown or already deleted).</summary>
internal sealed record MachinesDeletedResponse(
    [property: JsonPropertyName("deleted")] IReadOnlyList<Guid> Deleted,
    [property: JsonPropertyName("missing")] IReadOnlyList<Guid> Missing);
