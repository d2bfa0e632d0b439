using System.Text.Json.Serialization;

namespace Keyward.Server.Agents;

/// <summary>POST /api/admin/machines/delete: 1 to 100 machine ids.</summary>
internal sealed record MachineDeleteRequest([property: JsonPropertyName("ids")] IReadOnlyList<Guid>? Ids);
