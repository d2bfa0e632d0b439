namespace Keyward.Server.Limits;

/// <summary>
/// The counters behind the guess limits, shared by every node on one database (issue 13, item 4), so N nodes do not
/// give an attacker N times the guesses. Three atomic primitives, each one statement: a token bucket, a counter per
/// key and window, and a run of failures. Times are the database's (every node agrees on windows, refills and
/// quiet spells, whatever its own clock says). Keys name their counter; the part after the first colon (an address
/// group or an account's lookup key, <see cref="CounterKey"/>) is stored only as a keyed hash. When <see cref="Shared"/> is false (SQLite, one node) the
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
    ValueTask<BucketTake> TakeAsync(string key, double capacity, CancellationToken cancellationToken = default);

    /// <summary>Gives one token back to the bucket <paramref name="key"/>, up to its capacity.</summary>
    ValueTask GiveBackAsync(string key, double capacity, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds <paramref name="delta"/> to the counter <paramref name="key"/> in a fixed window of <paramref name="length"/>
    /// and returns the total of all nodes in that window. The window is the current one by the database's clock, so
    /// every node agrees on it; or <paramref name="window"/> when given (a refund goes into the window it was reserved
    /// in, never into the next one).
    /// </summary>
    ValueTask<CounterWindow> AddAsync(string key, long delta, TimeSpan length, long? window = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts one more failure in the run <paramref name="key"/> and returns the run; a run whose last failure is older
    /// than <paramref name="quiet"/> starts again at one.
    /// </summary>
    ValueTask<FailureRun> FailAsync(string key, TimeSpan quiet, CancellationToken cancellationToken = default);

    /// <summary>The run <paramref name="key"/>, or null when there is none.</summary>
    ValueTask<FailureRun?> ReadRunAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Ends the runs <paramref name="keys"/> (a verified sign-in).</summary>
    ValueTask ClearAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);
}
