namespace Keyward.Core.Storage;

/// <summary>A single-use agent enroll token (<c>kwe_</c>), stored as its hash, with what the machine it enrolls will be bound to.</summary>
public sealed class EnrollTokenEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] TokenHash { get; set; }
    public required string Label { get; set; }

    /// <summary><c>attended</c> or <c>unattended</c> (<see cref="Agents.AgentPolicies"/>).</summary>
    public required string Policy { get; set; }

    /// <summary>Account ids allowed to join the machine's support sessions, space-separated.</summary>
    public required string JoinAccounts { get; set; }

    /// <summary>Roles allowed to join, space-separated.</summary>
    public required string JoinRoles { get; set; }
    public int UsesLeft { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
    public Guid? CreatedBy { get; set; }

    public long? RevokedAt { get; set; }

    /// <summary>The machine it enrolled, once used.</summary>
    public Guid? MachineId { get; set; }
}
