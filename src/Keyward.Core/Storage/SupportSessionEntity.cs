namespace Keyward.Core.Storage;

/// <summary>A support session: a technician's request to reach one machine (or an ad-hoc one, bound with a support code).</summary>
public sealed class SupportSessionEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }

    /// <summary>The enrolled machine, or null for an ad-hoc session (its agent binds with a support code).</summary>
    public Guid? MachineId { get; set; }
    public Guid AccountId { get; set; }

    /// <summary>The technician's login session that opened it.</summary>
    public Guid LoginSessionId { get; set; }
    public bool Attended { get; set; }
    public required string Reason { get; set; }

    /// <summary><see cref="Support.SupportSessionStates"/>.</summary>
    public required string State { get; set; }
    public long CreatedAt { get; set; }

    /// <summary>When it is reaped if it has not ended before.</summary>
    public long ExpiresAt { get; set; }
    public long? EndedAt { get; set; }
    public string? EndedReason { get; set; }
    public long BytesToAgent { get; set; }
    public long BytesToViewer { get; set; }
}
