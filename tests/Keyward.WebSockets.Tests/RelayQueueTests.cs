using System.Buffers;
using System.Net.WebSockets;
using Keyward.Server.WebSockets;

namespace Keyward.WebSockets.Tests;

/// <summary>
/// The byte-budgeted queue the relay (and later the remote-support relay) uses per direction, with a real writer and
/// reader on other threads: a write that does not fit waits for the reader to release, the queue never holds more than
/// its budget, a message larger than the budget goes alone, completion wakes a waiting writer.
/// </summary>
public sealed class RelayQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Write_PastTheBudget_WaitsUntilTheReaderReleases()
    {
        var first = Message(1000);
        var queue = new RelayQueue(RelayQueue.ChargeOf(first) + 500);
        Assert.True(await queue.WriteAsync(first, CancellationToken.None));

        var second = queue.WriteAsync(Message(1000), CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(second.IsCompleted);
        Assert.Equal(RelayQueue.ChargeOf(first), queue.QueuedBytes);

        Assert.True(queue.TryRead(out var read));
        queue.Release(read);
        Assert.True(await second.WaitAsync(Patience));
        Assert.True(queue.PeakQueuedBytes <= queue.Budget);
        queue.Drain();
        Assert.Equal(0, queue.QueuedBytes);
    }

    [Fact]
    public async Task ConcurrentWriterAndSlowReader_NeverHoldMoreThanTheBudget_AndKeepOrder()
    {
        const int Messages = 2000;
        var queue = new RelayQueue(64 * 1024);
        var writer = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < Messages; i++)
                {
                    var message = Message(Random.Shared.Next(0, 4096));
                    BitConverter.TryWriteBytes(message.Buffer, i);
                    Assert.True(await queue.WriteAsync(message, CancellationToken.None));
                    Assert.True(queue.QueuedBytes <= queue.Budget, $"the queue holds {queue.QueuedBytes} bytes, past its budget");
                }
            }
            finally
            {
                queue.Complete();
            }
        });

        using var timeout = new CancellationTokenSource(Patience);
        var next = 0;
        while (await queue.WaitToReadAsync(timeout.Token))
        {
            while (queue.TryRead(out var message))
            {
                Assert.Equal(next++, BitConverter.ToInt32(message.Buffer, 0));
                if (next % 50 == 0)
                {
                    // Slower than the writer, so without the budget the queue would grow to megabytes.
                    await Task.Delay(1);
                }

                queue.Release(message);
            }
        }

        await writer.WaitAsync(Patience);
        Assert.Equal(Messages, next);
        Assert.InRange(queue.PeakQueuedBytes, 1, queue.Budget);
        Assert.Equal(0, queue.QueuedBytes);
    }

    [Fact]
    public async Task MessageLargerThanTheBudget_GoesAloneOnceTheQueueIsEmpty()
    {
        var queue = new RelayQueue(1024);
        var small = Message(100);
        Assert.True(await queue.WriteAsync(small, CancellationToken.None));
        var big = queue.WriteAsync(Message(8192), CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(big.IsCompleted);

        Assert.True(queue.TryRead(out var read));
        queue.Release(read);
        Assert.True(await big.WaitAsync(Patience));
        Assert.True(queue.TryRead(out read));
        Assert.Equal(8192, read.Count);
        queue.Release(read);
    }

    [Fact]
    public async Task Complete_WakesAWaitingWriter_WhoKeepsItsMessage()
    {
        var queue = new RelayQueue(1024);
        Assert.True(await queue.WriteAsync(Message(900), CancellationToken.None));
        var waiting = Message(900);
        var write = queue.WriteAsync(waiting, CancellationToken.None).AsTask();
        queue.Complete();
        Assert.False(await write.WaitAsync(Patience));
        waiting.Return();
        queue.Drain();
        Assert.Equal(0, queue.QueuedBytes);
    }

    private static RelayMessage Message(int count) => new(ArrayPool<byte>.Shared.Rent(Math.Max(count, 4)), count, WebSocketMessageType.Binary);
}
