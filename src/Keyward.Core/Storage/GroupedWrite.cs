namespace Keyward.Core.Storage;

/// <summary>
/// One caller's write waiting in a <see cref="SqliteGroupCommit"/>: queued, then taken into a batch (from then on it
/// runs, and its caller waits for the batch's commit), or cancelled while still queued (never run, nothing written).
/// </summary>
internal abstract class GroupedWrite
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Cancelled = 2;

    private int _state;

    /// <summary>Claims the write for a batch; false when its caller cancelled first (skip it).</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    /// <summary>Claims the write for its caller's cancellation; false when a batch took it first.</summary>
    protected bool TryCancel() => Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued;

    /// <summary>
    /// Runs this caller's statements in the batch's transaction, inside its own savepoint, and keeps what they
    /// returned: the caller is told only by <see cref="Commit"/>, after the transaction committed.
    /// </summary>
    public abstract Task RunAsync(GroupBatch batch);

    /// <summary>The batch committed: hands the caller what <see cref="RunAsync"/> kept.</summary>
    public abstract void Commit();

    /// <summary>Fails the caller: its own statement failed (rolled back to its savepoint), or the whole batch did.</summary>
    public abstract void Fail(Exception exception);
}
