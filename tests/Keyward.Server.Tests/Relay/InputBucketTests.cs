using Keyward.Server.Support;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests.Relay;

/// <summary>The viewer input rate limit (<c>Support:ViewerInputBytesPerSecond</c>), on the fake clock.</summary>
public sealed class InputBucketTests
{
    [Fact]
    public async Task TakeAsync_WithinOneSecondOfRate_DoesNotWait_BeyondItWaitsForTheClock()
    {
        var time = new FakeTimeProvider();
        var bucket = new InputBucket(1000, time);

        await bucket.TakeAsync(1000, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        var waiting = bucket.TakeAsync(500, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(499));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Refill_IsCappedAtOneSecondOfRate()
    {
        var time = new FakeTimeProvider();
        var bucket = new InputBucket(1000, time);
        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(1000, bucket.Available);
        await bucket.TakeAsync(1000, CancellationToken.None);
        Assert.Equal(0, bucket.Available);
    }
}
