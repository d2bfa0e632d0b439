namespace Keyward.Core.Storage;

/// <summary>
/// A proposed operation waiting for its quorum. <see cref="State"/> leaves <c>pending</c> exactly once, by a conditional
/// UPDATE (applied, withdrawn or expired).
/// </summary>
public sealed class ApprovalRequestEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid PolicyId { get; set; }
    public Guid OperatorAccountId { get; set; }
    public Guid ProposedBy { get; set; }
    public int Kind { get; set; }
    public required string Target { get; set; }

    /// <summary>The canonical parameters (never a secret: parameters name things, they do not carry values).</summary>
    public required byte[] Parameters { get; set; }
    public required byte[] ParametersDigest { get; set; }
    public long Nonce { get; set; }
    public required byte[] Challenge { get; set; }
    public required string State { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
    public long? LastVoteAt { get; set; }
    public long? ClosedAt { get; set; }
}
