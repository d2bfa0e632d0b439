using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace Keyward.Server.Limits;

/// <summary>
/// <see cref="IClusterCounters"/> on PostgreSQL: one row per key in <c>keyward_limit_counters</c>, each operation one
/// <c>INSERT … ON CONFLICT DO UPDATE … RETURNING</c> (or one UPDATE/SELECT/DELETE), so concurrent nodes never lose
/// an increment. The table is <c>UNLOGGED</c>: counts are worth no WAL, and a PostgreSQL crash empties them (an
/// attacker gains at most one fresh budget per crash; docs/security.md). It is created at first use under a
/// transaction advisory lock (nodes starting together cannot race on it), not by an EF migration: no entity reads it.
/// Rows past their expiry are swept at most once a minute per node.
/// </summary>
internal sealed class PostgresClusterCounters(string connectionString, TimeProvider time) : IClusterCounters, IAsyncDisposable
{
    /// <summary>The table's name.</summary>
    public const string Table = "keyward_limit_counters";

    // An arbitrary fixed key for pg_advisory_xact_lock around the CREATE (ASCII "kwlimits").
    private const long CreateLock = 0x6b776c696d697473;

    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);
    private readonly SemaphoreSlim _create = new(1, 1);
    private volatile bool _created;
    private long _sweptAt = long.MinValue;

    public bool Shared => true;

    public async ValueTask<BucketTake> TakeAsync(string key, double capacity, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // The refill is computed once in the CTE-free upsert: tokens earned since the row's time, up to the capacity;
        // one is taken when at least one is there. A clock behind the row's earns nothing (GREATEST 0).
        const string Refilled = $"LEAST(@capacity, c.value + GREATEST(0, EXTRACT(EPOCH FROM (@now - c.at)) / 60.0) * @capacity)";
        const string Sql = $"""
            INSERT INTO {Table} AS c (key, value, at, expires_at, taken) VALUES (@key, @capacity - 1, @now, @expires, TRUE)
            ON CONFLICT (key) DO UPDATE SET
                value = {Refilled} - CASE WHEN {Refilled} >= 1 THEN 1 ELSE 0 END,
                taken = {Refilled} >= 1,
                at = GREATEST(c.at, @now),
                expires_at = @expires
            RETURNING taken, value
            """;
        return await RunAsync(
            Sql,
            p =>
            {
                p.AddWithValue("key", key);
                p.AddWithValue("capacity", capacity);
                p.AddWithValue("now", now);
                p.AddWithValue("expires", now + TimeSpan.FromMinutes(2));
            },
            async reader =>
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new BucketTake(reader.GetBoolean(0), reader.GetDouble(1));
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask GiveBackAsync(string key, double capacity, CancellationToken cancellationToken = default) =>
        await RunAsync(
            $"UPDATE {Table} SET value = LEAST(@capacity, value + 1) WHERE key = @key",
            p =>
            {
                p.AddWithValue("key", key);
                p.AddWithValue("capacity", capacity);
            },
            _ => Task.FromResult(true),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<long> AddAsync(string key, long delta, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken = default)
    {
        const string Sql = $"""
            INSERT INTO {Table} AS c (key, value, at, expires_at, taken) VALUES (@key, @delta, @now, @expires, FALSE)
            ON CONFLICT (key) DO UPDATE SET
                value = CASE WHEN c.expires_at <= @now THEN @delta ELSE c.value + @delta END,
                expires_at = CASE WHEN c.expires_at <= @now THEN @expires ELSE c.expires_at END,
                at = @now
            RETURNING value
            """;
        return await RunAsync(
            Sql,
            p =>
            {
                p.AddWithValue("key", key);
                p.AddWithValue("delta", (double)delta);
                p.AddWithValue("now", now);
                p.AddWithValue("expires", expires);
            },
            async reader =>
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return (long)reader.GetDouble(0);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<FailureRun> FailAsync(string key, DateTimeOffset now, TimeSpan quiet, CancellationToken cancellationToken = default)
    {
        const string Sql = $"""
            INSERT INTO {Table} AS c (key, value, at, expires_at, taken) VALUES (@key, 1, @now, @expires, FALSE)
            ON CONFLICT (key) DO UPDATE SET
                value = CASE WHEN @now - c.at > @quiet THEN 1 ELSE c.value + 1 END,
                at = GREATEST(c.at, @now),
                expires_at = GREATEST(c.expires_at, @expires)
            RETURNING value, at
            """;
        return await RunAsync(
            Sql,
            p =>
            {
                p.AddWithValue("key", key);
                p.AddWithValue("now", now);
                p.AddWithValue("quiet", NpgsqlDbType.Interval, quiet);
                p.AddWithValue("expires", now + quiet + quiet);
            },
            async reader =>
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new FailureRun((long)reader.GetDouble(0), reader.GetFieldValue<DateTimeOffset>(1));
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<FailureRun?> ReadRunAsync(string key, CancellationToken cancellationToken = default) =>
        await RunAsync(
            $"SELECT value, at FROM {Table} WHERE key = @key",
            p => p.AddWithValue("key", key),
            async reader => await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new FailureRun((long)reader.GetDouble(0), reader.GetFieldValue<DateTimeOffset>(1))
                : (FailureRun?)null,
            cancellationToken).ConfigureAwait(false);

    public async ValueTask ClearAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        await RunAsync(
            $"DELETE FROM {Table} WHERE key = ANY(@keys)",
            p => p.AddWithValue("keys", keys.ToArray()),
            _ => Task.FromResult(true),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync().ConfigureAwait(false);
        _create.Dispose();
    }

    // One statement on a pooled connection; any provider failure becomes ClusterCountersUnavailableException (no SQL or
    // provider text travels further), cancellation stays cancellation.
    private async Task<T> RunAsync<T>(string sql, Action<NpgsqlParameterCollection> bind, Func<DbDataReader, Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            await SweepIfDueAsync(cancellationToken).ConfigureAwait(false);
            await using var command = _source.CreateCommand(sql);
            bind(command.Parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await read(reader).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            throw new ClusterCountersUnavailableException(e);
        }
    }

    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await _create.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_created)
            {
                return;
            }

            await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var command = new NpgsqlCommand(
                $"""
                SELECT pg_advisory_xact_lock({CreateLock});
                CREATE UNLOGGED TABLE IF NOT EXISTS {Table} (
                    key text PRIMARY KEY,
                    value double precision NOT NULL,
                    at timestamptz NOT NULL,
                    expires_at timestamptz NOT NULL,
                    taken boolean NOT NULL);
                CREATE INDEX IF NOT EXISTS ix_{Table}_expires_at ON {Table} (expires_at);
                """,
                connection,
                transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _created = true;
        }
        finally
        {
            _create.Release();
        }
    }

    private async Task SweepIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _sweptAt);
        if ((last != long.MinValue && time.GetElapsedTime(last, now) < SweepEvery) || Interlocked.CompareExchange(ref _sweptAt, now, last) != last)
        {
            return;
        }

        await using var command = _source.CreateCommand($"DELETE FROM {Table} WHERE expires_at < @now");
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
