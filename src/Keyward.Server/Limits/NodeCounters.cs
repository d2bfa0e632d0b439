namespace Keyward.Server.Limits;

/// <summary>
/// One node (SQLite): nothing is shared, so each limiter keeps its own state in memory, as it always did, and never
/// calls these members.
/// </summary>
internal sealed class NodeCounters : IClusterCounters
{
    public bool Shared => false;

    public ValueTask<BucketTake> TakeAsync(string key, double capacity, CancellationToken cancellationToken = default) => throw NotShared();

    public ValueTask GiveBackAsync(string key, double capacity, CancellationToken cancellationToken = default) => throw NotShared();

    public ValueTask<CounterWindow> AddAsync(string key, long delta, TimeSpan length, long? window = null, CancellationToken cancellationToken = default) => throw NotShared();

    public ValueTask<FailureRun> FailAsync(string key, TimeSpan quiet, CancellationToken cancellationToken = default) => throw NotShared();

    public ValueTask<FailureRun?> ReadRunAsync(string key, CancellationToken cancellationToken = default) => throw NotShared();

    public ValueTask ClearAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) => throw NotShared();

    private static InvalidOperationException NotShared() => new("One node keeps its limits in memory; check IClusterCounters.Shared first.");
}
