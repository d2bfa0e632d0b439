namespace Keyward.Core.Quorum;

/// <summary>
/// Applies approved operations of one kind. A kind without an applier cannot be proposed. <see cref="ApplyAsync"/>
/// runs inside the transaction whose conditional UPDATE moved the request from pending to applied, on that
/// transaction's context: its writes commit with the completion or not at all, so the operation takes effect exactly once.
/// </summary>
public interface IApprovalApplier
{
    /// <summary>The kind it applies.</summary>
    OperationKind Kind { get; }

    /// <summary>Checks the operation against the current state at proposal; null when it may be proposed.</summary>
    Task<QuorumFailure?> CheckAsync(ApprovalContext context, CancellationToken cancellationToken);

    /// <summary>Applies the operation (checking again: the state may have moved since the proposal); a failure rolls everything back.</summary>
    Task<QuorumFailure?> ApplyAsync(ApprovalContext context, CancellationToken cancellationToken);
}
