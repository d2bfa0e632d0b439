using Keyward.Core.Quorum;

namespace Keyward.Core.Tests.Quorum;

/// <summary>An applier for one kind that counts its applications (and can be told to refuse).</summary>
internal sealed class CountingApplier(OperationKind kind = OperationKind.AdvanceKeyEpoch) : IApprovalApplier
{
    private int _applied;

    public OperationKind Kind => kind;

    public int Applied => Volatile.Read(ref _applied);

    public QuorumFailure? Refusal { get; set; }

    public Task<QuorumFailure?> CheckAsync(ApprovalContext context, CancellationToken cancellationToken) => Task.FromResult<QuorumFailure?>(null);

    public Task<QuorumFailure?> ApplyAsync(ApprovalContext context, CancellationToken cancellationToken)
    {
        if (Refusal is null)
        {
            Interlocked.Increment(ref _applied);
        }

        return Task.FromResult(Refusal);
    }
}
