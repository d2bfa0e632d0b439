namespace Keyward.Fuzz.Harnesses;

/// <summary>A clock that never moves, so every corpus file means the same thing on every run.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => now;

    /// <inheritdoc />
    public override long GetTimestamp() => 0;
}
