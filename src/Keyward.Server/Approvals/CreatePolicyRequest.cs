using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>POST /api/approvals/policies: the first policy for its kinds (admin, with an admin step-up).</summary>
internal sealed record CreatePolicyRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("kinds")] IReadOnlyList<string>? Kinds,
    [property: JsonPropertyName("groups")] IReadOnlyList<CreateGroupRequest>? Groups,
    [property: JsonPropertyName("allow_synced_passkeys")] bool AllowSyncedPasskeys = false);
