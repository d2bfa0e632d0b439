using Keyward.Agent.Runtime;

namespace Keyward.Agent.Tests;

public sealed class ReconnectBackoffTests
{
    private static readonly BackoffOptions Policy = new() { Initial = TimeSpan.FromSeconds(1), Max = TimeSpan.FromSeconds(60) };

    [Fact]
    public void Next_GrowsExponentiallyWithinTheJitterBand_AndIsCapped()
    {
        var backoff = new ReconnectBackoff(Policy, new Random(1234));
        double[] steps = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60];
        foreach (var step in steps)
        {
            var delay = backoff.Next().TotalSeconds;
            Assert.InRange(delay, step / 2, step);
        }
    }

    [Fact]
    public void Next_IsJittered_TwoAgentsDoNotWaitTheSame()
    {
        var a = new ReconnectBackoff(Policy, new Random(1));
        var b = new ReconnectBackoff(Policy, new Random(2));
        var delaysA = Enumerable.Range(0, 8).Select(_ => a.Next()).ToArray();
        var delaysB = Enumerable.Range(0, 8).Select(_ => b.Next()).ToArray();
        Assert.NotEqual(delaysA, delaysB);
        Assert.True(delaysA.Distinct().Count() == delaysA.Length);
    }

    [Fact]
    public void Next_ExtremesOfTheRandomSource_StayAtHalfAndWholeStep()
    {
        var low = new ReconnectBackoff(Policy, new FixedRandom(0.0));
        var high = new ReconnectBackoff(Policy, new FixedRandom(1.0));
        for (var i = 0; i < 12; i++)
        {
            var step = Math.Min(60, Math.Pow(2, i));
            Assert.Equal(step / 2, low.Next().TotalSeconds, 6);
            Assert.Equal(step, high.Next().TotalSeconds, 6);
        }
    }

    [Fact]
    public void Reset_AfterAStableConnection_StartsAgainFromTheFirstStep()
    {
        var backoff = new ReconnectBackoff(Policy, new FixedRandom(1.0));
        for (var i = 0; i < 10; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.Equal(1, backoff.Next().TotalSeconds, 6);
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }
}
