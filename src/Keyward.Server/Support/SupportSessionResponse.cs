using System.Text.Json.Serialization;
using Keyward.Core.Support;

namespace Keyward.Server.Support;

/// <summary>A support session. <see cref="SupportCode"/> is there once: in the answer that opened an ad-hoc session.</summary>
internal sealed record SupportSessionResponse(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("machine_id")] Guid? MachineId,
    [property: JsonPropertyName("account_id")] Guid AccountId,
    [property: JsonPropertyName("attended")] bool Attended,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("ended_at")] DateTimeOffset? EndedAt,
    [property: JsonPropertyName("ended_reason")] string? EndedReason,
    [property: JsonPropertyName("support_code")] string? SupportCode = null,
    [property: JsonPropertyName("support_code_expires_at")] DateTimeOffset? SupportCodeExpiresAt = null)
{
    /// <summary>The answer for a session (without a code).</summary>
    public static SupportSessionResponse Of(SupportSession s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.Id, s.MachineId, s.AccountId, s.Attended, s.Reason, s.State, s.CreatedAt, s.ExpiresAt, s.EndedAt, s.EndedReason);
    }

    // Never print the support code.
    public override string ToString() => $"support session {Id} ({State})";
}
