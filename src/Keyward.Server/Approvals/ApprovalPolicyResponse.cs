using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>An approval policy: the kinds it governs and its groups (ANDed).</summary>
internal sealed record ApprovalPolicyResponse(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kinds")] IReadOnlyList<string> Kinds,
    [property: JsonPropertyName("groups")] IReadOnlyList<ApprovalGroupItem> Groups,
    [property: JsonPropertyName("allow_synced_passkeys")] bool AllowSyncedPasskeys,
    [property: JsonPropertyName("stranded")] bool Stranded);
