using System.Collections.Concurrent;
using Keyward.Core.Accounts.Names;
using Keyward.Server.Http;
using Keyward.Server.Limits;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Sessions;

/// <summary>
/// Backoff after failed sign-ins, per client address and per account. It counts only what an
/// attacker cannot do for free: a finish whose assertion failed. Begins are never counted, so nobody can lock an account
/// out by asking for its options, and a verified assertion is never refused for its account's failures, so a flood of
/// bad assertions against an account cannot keep its owner out. After <see cref="SignInOptions.FailuresBeforeBackoff"/>
/// failures in a row, each further failure makes the key wait 1 s, then 2 s, 4 s, … up to <see cref="SignInOptions.MaxBackoff"/>; a success clears
/// it, and so does a quiet spell as long as the longest wait.
/// <para>
/// One node (SQLite) keeps the runs in memory. On PostgreSQL (<see cref="IClusterCounters.Shared"/>) the async members
/// keep them in the shared counters, keyed by a hash of the key, so failures through any node count toward the same
/// wait (issue 13, item 4). Sign-in needs the database anyway, so when the counters cannot be read this node's own
/// runs decide instead (a per-node bound for the outage, logged): nobody is locked out by a blip. A passkey assertion
/// cannot be guessed, so N× attempts in an outage buy nothing; a recovery code can, so its check refuses instead.
/// </para>
/// </summary>
internal sealed class SignInLimiter(IOptions<SignInOptions> options, TimeProvider time, IClusterCounters counters, ILogger<SignInLimiter> logger)
{
    // Bounded: when a flood of distinct addresses or names fills the table, entries whose wait has passed go first.
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);

    /// <summary>The address key.</summary>
    public static string AddressKey(string? address) => "a:" + (address ?? "unknown");

    /// <summary>The account key: names compare by their lookup key (RFC 8265 mappings), as accounts are looked up.</summary>
    public static string AccountKey(string account) => "n:" + AccountName.LookupKey(account);

    /// <summary>How long the key must still wait; null when it may try now.</summary>
    public TimeSpan? Waiting(string key)
    {
        if (!_failures.TryGetValue(key, out var entry))
        {
            return null;
        }

        var now = time.GetUtcNow();
        lock (entry)
        {
            return entry.BlockedUntil > now ? entry.BlockedUntil - now : null;
        }
    }

    /// <summary>Counts a failure and returns the wait it starts (null below the threshold).</summary>
    public TimeSpan? Failed(string key)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        if (_failures.Count >= MaxEntries)
        {
            Sweep(now, settings.MaxBackoff);
        }

        var entry = _failures.GetOrAdd(key, _ => new Failures());
        lock (entry)
        {
            // A quiet spell as long as the longest wait forgets earlier failures.
            if (now - entry.LastFailure > settings.MaxBackoff)
            {
                entry.Count = 0;
            }

            entry.Count++;
            entry.LastFailure = now;
            var over = entry.Count - settings.FailuresBeforeBackoff;
            if (over <= 0)
            {
                return null;
            }

            var wait = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(over - 1, 30)));
            wait = wait > settings.MaxBackoff ? settings.MaxBackoff : wait;
            entry.BlockedUntil = now + wait;
            return wait;
        }
    }

    /// <summary>Clears a key after a verified sign-in.</summary>
    public void Succeeded(string key) => _failures.TryRemove(key, out _);

    /// <summary>
    /// <see cref="Waiting"/> across the cluster (PostgreSQL); this node's own runs on one node or in an outage. With
    /// <paramref name="fallBack"/> false (recovery codes, which are guessable) an outage throws
    /// <see cref="ClusterCountersUnavailableException"/> instead (503 <c>storage_busy</c>).
    /// </summary>
    public async ValueTask<TimeSpan?> WaitingAsync(string key, bool fallBack = true, CancellationToken cancellationToken = default)
    {
        if (!counters.Shared)
        {
            return Waiting(key);
        }

        try
        {
            if (await counters.ReadRunAsync(SharedKey(key), cancellationToken).ConfigureAwait(false) is not { } run)
            {
                return null;
            }

            // Measured on the database's clock: every node agrees on when the wait ends.
            return WaitAfter(run.Count) is { } wait && wait > run.SinceLast ? wait - run.SinceLast : null;
        }
        catch (ClusterCountersUnavailableException e) when (fallBack)
        {
            LimitsLog.FellBack(logger, e);
            return Waiting(key);
        }
    }

    /// <summary><see cref="Failed"/> across the cluster (PostgreSQL); this node's own runs on one node or in an outage (see <see cref="WaitingAsync"/> for <paramref name="fallBack"/>).</summary>
    public async ValueTask<TimeSpan?> FailedAsync(string key, bool fallBack = true, CancellationToken cancellationToken = default)
    {
        if (!counters.Shared)
        {
            return Failed(key);
        }

        try
        {
            var run = await counters.FailAsync(SharedKey(key), options.Value.MaxBackoff, cancellationToken).ConfigureAwait(false);
            return WaitAfter(run.Count);
        }
        catch (ClusterCountersUnavailableException e) when (fallBack)
        {
            LimitsLog.FellBack(logger, e);
            return Failed(key);
        }
    }

    /// <summary><see cref="Succeeded"/> for both keys of a verified sign-in, across the cluster on PostgreSQL.</summary>
    public async ValueTask SucceededAsync(string addressKey, string accountKey, CancellationToken cancellationToken = default)
    {
        Succeeded(addressKey);
        Succeeded(accountKey);
        if (!counters.Shared)
        {
            return;
        }

        try
        {
            await counters.ClearAsync([SharedKey(addressKey), SharedKey(accountKey)], cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterCountersUnavailableException e)
        {
            // The key verified: it signs in. The runs stay until their quiet spell ends them.
            LimitsLog.FellBack(logger, e);
        }
    }

    // A key holds an address or an account's lookup key: only a hash of it goes to the database.
    private static string SharedKey(string key) => CounterKey.Hashed("signin", key);

    // The wait the count-th failure in a row starts (as in Failed): none up to the threshold, then 1 s, 2 s, 4 s, …
    private TimeSpan? WaitAfter(long count)
    {
        var settings = options.Value;
        var over = count - settings.FailuresBeforeBackoff;
        if (over <= 0)
        {
            return null;
        }

        var wait = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(over - 1, 30)));
        return wait > settings.MaxBackoff ? settings.MaxBackoff : wait;
    }

    private void Sweep(DateTimeOffset now, TimeSpan quiet)
    {
        foreach (var (key, entry) in _failures)
        {
            bool stale;
            lock (entry)
            {
                stale = entry.BlockedUntil <= now && now - entry.LastFailure > quiet;
            }

            if (stale)
            {
                _failures.TryRemove(key, out _);
            }
        }
    }

    private sealed class Failures
    {
        public int Count { get; set; }

        public DateTimeOffset LastFailure { get; set; }

        public DateTimeOffset BlockedUntil { get; set; }
    }
}
