namespace Keyward.Core.Storage;

/// <summary>
/// An enrolled machine. Its identity is its agent key (<c>kwa_</c>, stored as its hash): nothing the agent reports
/// (hostname, version) selects or changes which row it is.
/// </summary>
public sealed class MachineEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Label { get; set; }

    /// <summary><c>attended</c> or <c>unattended</c> (<see cref="Agents.AgentPolicies"/>).</summary>
    public required string Policy { get; set; }

    /// <summary>Account ids allowed to join, space-separated.</summary>
    public required string JoinAccounts { get; set; }

    /// <summary>Roles allowed to join, space-separated.</summary>
    public required string JoinRoles { get; set; }
    public required byte[] KeyHash { get; set; }
    public Guid EnrollTokenId { get; set; }
    public long EnrolledAt { get; set; }

    /// <summary>The admin who created the enroll token.</summary>
    public Guid? EnrolledBy { get; set; }

    /// <summary>As last reported by the agent; informational only.</summary>
    public string? Hostname { get; set; }

    /// <summary>As last reported by the agent; informational only.</summary>
    public string? Version { get; set; }
    public long? LastSeenAt { get; set; }
    public long? KeyRevokedAt { get; set; }
    public long? DeletedAt { get; set; }
    public Guid? DeletedBy { get; set; }
}
