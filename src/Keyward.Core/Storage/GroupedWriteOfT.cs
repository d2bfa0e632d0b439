namespace Keyward.Core.Storage;

/// <summary>A <see cref="GroupedWrite"/> whose statements produce a <typeparamref name="T"/>.</summary>
internal sealed class GroupedWrite<T> : GroupedWrite
{
    private readonly Func<GroupBatch, Task<T>> _run;
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _registration;
    private T? _result;

    public GroupedWrite(Func<GroupBatch, Task<T>> run, CancellationToken cancellationToken)
    {
        _run = run;
        _cancellationToken = cancellationToken;
        _registration = cancellationToken.Register(static state => ((GroupedWrite<T>)state!).CancelIfQueued(), this);
    }

    /// <summary>What the caller awaits.</summary>
    public Task<T> Task => _done.Task;

    public override async Task RunAsync(GroupBatch batch) => _result = await _run(batch).ConfigureAwait(false);

    public override void Commit()
    {
        _registration.Dispose();
        _done.TrySetResult(_result!);
    }

    public override void Fail(Exception exception)
    {
        _registration.Dispose();
        _done.TrySetException(exception);
    }

    // Only a write still in the queue can be cancelled: once a batch took it, its statement may already have run, and
    // its caller learns the outcome after the commit (so no cancellation can hide a consume that happened).
    private void CancelIfQueued()
    {
        if (TryCancel())
        {
            _done.TrySetCanceled(_cancellationToken);
        }
    }
}
