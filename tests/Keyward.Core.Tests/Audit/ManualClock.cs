namespace Keyward.Core.Tests.Audit;

/// <summary>A clock the test moves by hand (Core.Tests does not reference Microsoft.Extensions.TimeProvider.Testing).</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
