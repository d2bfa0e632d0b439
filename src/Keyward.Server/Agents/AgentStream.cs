using Keyward.Server.WebSockets;

namespace Keyward.Server.Agents;

/// <summary>
/// One stream of a support session through a connected agent (<see cref="AgentLink.OpenStreamAsync"/>). Toward the
/// agent, <see cref="WriteAsync"/> hands bytes to the agent's socket and returns when they are sent: Keyward queues
/// nothing in that direction, so a slow agent holds its writer back. From the agent, frames wait in a byte-budgeted
/// <see cref="RelayQueue"/> (<see cref="AgentOptions.StreamQueueBytes"/>); when it is full the link stops reading the
/// agent's socket (backpressure through TCP) until <see cref="ReadAsync"/> takes some out.
/// </summary>
internal sealed class AgentStream
{
    private readonly AgentLink _link;
    private readonly RelayQueue _fromAgent;
    private readonly TaskCompletionSource<string> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string?> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal AgentStream(AgentLink link, uint id, Guid supportSessionId, long budget)
    {
        _link = link;
        Id = id;
        SupportSessionId = supportSessionId;
        _fromAgent = new RelayQueue(budget);
    }

    /// <summary>The stream id on the agent's socket (> 0).</summary>
    public uint Id { get; }

    /// <summary>The support session it belongs to.</summary>
    public Guid SupportSessionId { get; }

    /// <summary>Bytes from the agent waiting to be read now.</summary>
    public long QueuedBytes => _fromAgent.QueuedBytes;

    /// <summary>The most bytes from the agent that have waited at once.</summary>
    public long PeakQueuedBytes => _fromAgent.PeakQueuedBytes;

    /// <summary>The budget of the queue from the agent.</summary>
    public long Budget => _fromAgent.Budget;

    /// <summary>Bytes sent to the agent.</summary>
    public long BytesToAgent => Interlocked.Read(ref _bytesToAgent);

    /// <summary>Bytes received from the agent.</summary>
    public long BytesFromAgent => Interlocked.Read(ref _bytesFromAgent);

    /// <summary>Completes with the reason once the stream ended (the agent closed it, it was closed here, or the agent went away).</summary>
    public Task<string> Completion => _completion.Task;

    /// <summary>The agent's answer to <c>open</c>: null when opened, else its code.</summary>
    internal Task<string?> Opened => _opened.Task;

    private long _bytesToAgent;
    private long _bytesFromAgent;

    /// <summary>Sends <paramref name="data"/> to the agent (in frames of at most the frame limit); returns when sent. False when the stream or the link has ended.</summary>
    public async ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_completion.Task.IsCompleted)
        {
            return false;
        }

        var sent = await _link.SendDataAsync(Id, data, cancellationToken).ConfigureAwait(false);
        if (sent)
        {
            Interlocked.Add(ref _bytesToAgent, data.Length);
        }

        return sent;
    }

    /// <summary>
    /// Waits for the next bytes from the agent and hands them to <paramref name="deliver"/>; they stay charged to the
    /// budget until it returns. False once the stream has ended and nothing is left.
    /// </summary>
    public async ValueTask<bool> ReadAsync(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> deliver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliver);
        while (await _fromAgent.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_fromAgent.TryRead(out var message))
            {
                try
                {
                    await deliver(message.Payload, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _fromAgent.Release(message);
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>Resizes the terminal behind this stream (<c>resize</c>); false when the stream or the link has ended.</summary>
    public Task<bool> ResizeAsync(int cols, int rows) =>
        _completion.Task.IsCompleted ? Task.FromResult(false) : _link.SendResizeAsync(Id, cols, rows);

    /// <summary>Ends the stream from Keyward's side: tells the agent (<c>close</c>) and completes.</summary>
    public async Task CloseAsync(string reason)
    {
        if (End(reason))
        {
            await _link.SendCloseAsync(Id, reason).ConfigureAwait(false);
        }
    }

    /// <summary>Queues a frame from the agent (the link's reader waits here when the budget is full). False when the stream has ended (the caller still owns the message).</summary>
    internal async ValueTask<bool> AcceptAsync(RelayMessage message, CancellationToken cancellationToken)
    {
        var queued = await _fromAgent.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        if (queued)
        {
            Interlocked.Add(ref _bytesFromAgent, message.Count);
        }

        return queued;
    }

    /// <summary>The agent answered <c>open</c>.</summary>
    internal void Answer(string? code) => _opened.TrySetResult(code);

    /// <summary>Ends the stream here; what is queued can still be read. True the first time.</summary>
    internal bool End(string reason)
    {
        if (!_completion.TrySetResult(reason))
        {
            return false;
        }

        _opened.TrySetResult(reason);
        _fromAgent.Complete();
        _link.Forget(this);
        return true;
    }

}
