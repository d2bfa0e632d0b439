namespace Keyward.Server.Limits;

/// <summary>
/// The counters behind the guess limits, shared by every node on one database (issue 13, item 4), so N nodes do not
/// give an attacker N times the guesses. Three atomic primitives, each one statement: a token bucket, a counter per
/// key and window, and a run of failures. Keys never hold a secret: callers pass an address group, a hashed account
/// lookup key or a fixed name (<see cref="CounterKey"/>). When <see cref="Shared"/> is false (SQLite, one node) the
/// limiters keep their own in-process state, as before, and never call the other members.
/// </summary>
internal interface IClusterCounters
{
    /// <summary>True when the counts are shared by every node (PostgreSQL).</summary>
    bool Shared { get; }

    /// <summary>
    /// Takes one token from the bucket <paramref name="key"/> of <paramref name="capacity"/> tokens, refilled at
    /// <paramref name="capacity"/> per minute (a new bucket starts full). Returns whether a token was taken and how
    /// many are left after the refill (and the take).
    /// </summary>
    ValueTask<BucketTake> TakeAsync(string key, double capacity, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Gives one token back to the bucket <paramref name="key"/>, up to its capacity.</summary>
    ValueTask GiveBackAsync(string key, double capacity, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds <paramref name="delta"/> to the counter <paramref name="key"/> (a window's key names its window) and returns
    /// the total of all nodes. A counter past <paramref name="expires"/> starts again from zero.
    /// </summary>
    ValueTask<long> AddAsync(string key, long delta, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts one more failure in the run <paramref name="key"/> and returns the run; a run whose last failure is older
    /// than <paramref name="quiet"/> starts again at one.
    /// </summary>
    ValueTask<FailureRun> FailAsync(string key, DateTimeOffset now, TimeSpan quiet, CancellationToken cancellationToken = default);

    /// <summary>The run <paramref name="key"/>, or null when there is none.</summary>
    ValueTask<FailureRun?> ReadRunAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Ends the runs <paramref name="keys"/> (a verified sign-in).</summary>
    ValueTask ClearAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);
}
