using System.Text.Json.Serialization;

namespace Keyward.Server.Capabilities;

/// <summary>POST /actor/v1/capabilities and POST /agent/v1/capabilities.</summary>
/// <param name="Operation"><c>read</c>, <c>write</c>, <c>list</c> or <c>delete</c>.</param>
/// <param name="DataClass">A defined data class.</param>
/// <param name="Path">The secret's path (for <c>list</c>, the prefix to list).</param>
/// <param name="Operator">The account (name or id) whose scope to use; optional when all the actor's scopes come from one.</param>
internal sealed record MintRequest(
    [property: JsonPropertyName("operation")] string? Operation,
    [property: JsonPropertyName("data_class")] string? DataClass,
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("operator")] string? Operator = null);

/// <summary>A minted capability. Carries the token: never cached, never logged.</summary>
internal sealed record MintResponse(
    [property: JsonPropertyName("capability")] string Capability,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("scope_id")] Guid ScopeId)
{
    /// <inheritdoc/>
    public override string ToString() => $"capability for scope {ScopeId} (token redacted)";
}
