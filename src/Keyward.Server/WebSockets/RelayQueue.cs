using System.Threading.Channels;

namespace Keyward.Server.WebSockets;

/// <summary>
/// One direction of a relay: whole messages from one reader to one sender, bounded by the bytes it holds rather than
/// by a message count. A message is charged its pooled buffer plus <see cref="PerMessageOverhead"/> (so empty messages
/// count too) from <see cref="WriteAsync"/> until the sender <see cref="Release"/>s it after sending. A write that
/// would take the queue past <see cref="Budget"/> waits for room, so the reader stops reading and its sender is held
/// back by TCP (backpressure) instead of Keyward buffering. A message larger than the whole budget waits until the
/// queue is empty and then goes alone, so the queue never holds more than the larger of the budget and one message.
/// Single reader, single writer; <see cref="QueuedBytes"/> and <see cref="PeakQueuedBytes"/> may be read from anywhere.
/// </summary>
internal sealed class RelayQueue
{
    /// <summary>What a queued message costs besides its buffer (its slot and bookkeeping), in bytes.</summary>
    public const int PerMessageOverhead = 64;

    private readonly Channel<RelayMessage> _messages = Channel.CreateUnbounded<RelayMessage>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = true,
    });

    private readonly Lock _lock = new();
    private long _queued;
    private long _peak;
    private bool _completed;
    private TaskCompletionSource? _room;

    /// <summary>A queue that holds at most <paramref name="budget"/> bytes (but always one message).</summary>
    public RelayQueue(long budget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
        Budget = budget;
    }

    /// <summary>The most bytes the queue holds, unless one message alone is larger.</summary>
    public long Budget { get; }

    /// <summary>Bytes held now: messages written and not yet released.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_lock)
            {
                return _queued;
            }
        }
    }

    /// <summary>The most bytes the queue has held at once.</summary>
    public long PeakQueuedBytes
    {
        get
        {
            lock (_lock)
            {
                return _peak;
            }
        }
    }

    /// <summary>What <paramref name="message"/> is charged while queued.</summary>
    public static long ChargeOf(RelayMessage message) => (long)message.Buffer.Length + PerMessageOverhead;

    /// <summary>
    /// Queues <paramref name="message"/>, waiting while it does not fit. True when queued (the queue now owns it);
    /// false when the queue was completed first (the caller still owns it). Throws when <paramref name="cancellationToken"/>
    /// fires while waiting (the caller still owns it).
    /// </summary>
    public async ValueTask<bool> WriteAsync(RelayMessage message, CancellationToken cancellationToken)
    {
        var charge = ChargeOf(message);
        while (true)
        {
            Task room;
            lock (_lock)
            {
                if (_completed)
                {
                    return false;
                }

                if (_queued == 0 || _queued + charge <= Budget)
                {
                    _queued += charge;
                    _peak = Math.Max(_peak, _queued);
                    break;
                }

                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = _room.Task;
            }

            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_messages.Writer.TryWrite(message))
        {
            return true;
        }

        Uncharge(charge);
        return false;
    }

    /// <summary>No more writes; the reader still gets what is queued. Wakes a waiting writer (whose write then fails).</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            SignalRoom();
        }

        _messages.Writer.TryComplete();
    }

    /// <summary>Waits until a message can be read; false once the queue is completed and empty.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _messages.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Takes the next message; it stays charged until <see cref="Release"/>.</summary>
    public bool TryRead(out RelayMessage message) => _messages.Reader.TryRead(out message);

    /// <summary>The sender is done with a message it read (sent or dropped): frees its bytes and returns its buffer.</summary>
    public void Release(RelayMessage message)
    {
        Uncharge(ChargeOf(message));
        message.Return();
    }

    /// <summary>Completes the queue and releases every message still in it (the relay has ended).</summary>
    public void Drain()
    {
        Complete();
        while (_messages.Reader.TryRead(out var message))
        {
            Release(message);
        }
    }

    private void Uncharge(long charge)
    {
        lock (_lock)
        {
            _queued -= charge;
            SignalRoom();
        }
    }

    private void SignalRoom()
    {
        _room?.TrySetResult();
        _room = null;
    }
}
