namespace Keyward.Core.Quorum;

/// <summary>A proposed operation as stored: what approvers sign is <see cref="Challenge"/>.</summary>
public sealed record ApprovalRequest
{
    /// <summary>The request id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The policy that governs it.</summary>
    public required Guid PolicyId { get; init; }

    /// <summary>The operation.</summary>
    public required ApprovalOperation Operation { get; init; }

    /// <summary>The account on whose authority it is made.</summary>
    public required Guid OperatorAccountId { get; init; }

    /// <summary>Who proposed it.</summary>
    public required Guid ProposedBy { get; init; }

    /// <summary>The operator's nonce bound into the challenge.</summary>
    public required long Nonce { get; init; }

    /// <summary>SHA-256(canonical operation ‖ nonce ‖ instance id): the WebAuthn challenge of every approval.</summary>
    public required byte[] Challenge { get; init; }

    /// <summary>One of <see cref="ApprovalStates"/>.</summary>
    public required string State { get; init; }

    /// <summary>When it was proposed.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it expires if its quorum has not completed.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
}
