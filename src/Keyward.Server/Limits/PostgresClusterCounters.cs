using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Keyward.Server.Http;
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
/// <para>
/// Every time in the statements is PostgreSQL's (<c>now()</c>), windows included, so a node whose clock runs fast
/// neither sweeps the live rows of slower nodes nor ends a failure run early (<paramref name="databaseClock"/>; tests
/// with a fake clock pass false and their clock's time instead). The part of a key after its first colon is replaced by
/// an HMAC-SHA256 under <paramref name="keyKey"/> (derived from the instance secret every node shares), so the table
/// holds no address or account name, nor anything that reverses to one without that secret. The counters have their
/// own pool, capped at <see cref="MaxPoolSize"/> connections per node (docs/security.md, the connection budget).
/// </para>
/// </summary>
internal sealed class PostgresClusterCounters(string connectionString, TimeProvider time, byte[] keyKey, bool databaseClock = true) : IClusterCounters, IAsyncDisposable
{
    /// <summary>The table's name.</summary>
    public const string Table = "keyward_limit_counters";

    /// <summary>The most connections the counters open per node (a lower Max Pool Size in the connection string wins).</summary>
    public const int MaxPoolSize = 4;

    // An arbitrary fixed key for pg_advisory_xact_lock around the CREATE (ASCII "kwlimits").
    private const long CreateLock = 0x6b776c696d697473;

    // The statements' clock: PostgreSQL's, unless a test passes its fake clock's time in @now.
    private const string Now = "COALESCE(@now::timestamptz, now())";

    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(Capped(connectionString));
    private readonly SemaphoreSlim _create = new(1, 1);
    private volatile bool _created;
    private long _sweptAt = long.MinValue;

    public bool Shared => true;

    public async ValueTask<BucketTake> TakeAsync(string key, double capacity, CancellationToken cancellationToken = default)
    {
        // The refill is computed once in the CTE-free upsert: tokens earned since the row's time, up to the capacity;
        // one is taken when at least one is there. A clock behind the row's earns nothing (GREATEST 0).
        const string Refilled = $"LEAST(@capacity, c.value + GREATEST(0, EXTRACT(EPOCH FROM ({Now} - c.at)) / 60.0) * @capacity)";
        const string Sql = $"""
            INSERT INTO {Table} AS c (key, value, at, expires_at, taken) VALUES (@key, @capacity - 1, {Now}, {Now} + interval '2 minutes', TRUE)
            ON CONFLICT (key) DO UPDATE SET
                value = {Refilled} - CASE WHEN {Refilled} >= 1 THEN 1 ELSE 0 END,
                taken = {Refilled} >= 1,
                at = GREATEST(c.at, {Now}),
                expires_at = {Now} + interval '2 minutes'
            RETURNING taken, value
            """;
        return await RunAsync(
            Sql,
            p =>
            {
                p.AddWithValue("key", Seal(key));
                p.AddWithValue("capacity", capacity);
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
                p.AddWithValue("key", Seal(key));
                p.AddWithValue("capacity", capacity);
            },
            _ => Task.FromResult(true),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<CounterWindow> AddAsync(string key, long delta, TimeSpan length, long? window = null, CancellationToken cancellationToken = default)
    {
        // The window's index is computed here from the database's clock (or taken as given, for a refund); the key
        // names it, and the row expires when it ends.
        const string Sql = $"""
            INSERT INTO {Table} AS c (key, value, at, expires_at, taken)
            SELECT @key || '@' || w.i, @delta, w.n, to_timestamp((w.i + 1) * @seconds), FALSE
            FROM (SELECT n, COALESCE(@window::bigint, floor(EXTRACT(EPOCH FROM n) / @seconds)::bigint) AS i FROM (SELECT {Now} AS n) t) w
            ON CONFLICT (key) DO UPDATE SET value = c.value + @delta
            RETURNING value, round(EXTRACT(EPOCH FROM expires_at) / @seconds)::bigint - 1, EXTRACT(EPOCH FROM expires_at - {Now})::double precision
            """;
        return await RunAsync(
            Sql,
            p =>
            {
                p.AddWithValue("key", Seal(key));
                p.AddWithValue("delta", (double)delta);
                p.AddWithValue("seconds", length.TotalSeconds);
                p.Add(new NpgsqlParameter("window", NpgsqlDbType.Bigint) { Value = window is { } w ? w : DBNull.Value });
            },
            async reader =>
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new CounterWindow((long)reader.GetDouble(0), reader.GetInt64(1), TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(2))));
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<FailureRun> FailAsync(string key, TimeSpan quiet, CancellationToken cancellationToken = default)
    {
        const string Sql = $"""
            INSERT INTO {Table} AS c (key, value, at, expires_at, taken) VALUES (@key, 1, {Now}, {Now} + 2 * @quiet, FALSE)
            ON CONFLICT (key) DO UPDATE SET
                value = CASE WHEN {Now} - c.at > @quiet THEN 1 ELSE c.value + 1 END,
                at = GREATEST(c.at, {Now}),
                expires_at = GREATEST(c.expires_at, {Now} + 2 * @quiet)
            RETURNING value, GREATEST(0, EXTRACT(EPOCH FROM {Now} - at))::double precision
            """;
        return await RunAsync(
            Sql,
            p =>
            {
                p.AddWithValue("key", Seal(key));
                p.AddWithValue("quiet", NpgsqlDbType.Interval, quiet);
            },
            async reader =>
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new FailureRun((long)reader.GetDouble(0), TimeSpan.FromSeconds(reader.GetDouble(1)));
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<FailureRun?> ReadRunAsync(string key, CancellationToken cancellationToken = default) =>
        await RunAsync(
            $"SELECT value, GREATEST(0, EXTRACT(EPOCH FROM {Now} - at))::double precision FROM {Table} WHERE key = @key",
            p => p.AddWithValue("key", Seal(key)),
            async reader => await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new FailureRun((long)reader.GetDouble(0), TimeSpan.FromSeconds(reader.GetDouble(1)))
                : (FailureRun?)null,
            cancellationToken).ConfigureAwait(false);

    public async ValueTask ClearAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        await RunAsync(
            $"DELETE FROM {Table} WHERE key = ANY(@keys)",
            p => p.AddWithValue("keys", keys.Select(Seal).ToArray()),
            _ => Task.FromResult(true),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync().ConfigureAwait(false);
        _create.Dispose();
    }

    /// <summary>The connection string the counters' own pool uses: at most <see cref="MaxPoolSize"/> connections.</summary>
    internal static string Capped(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.MaxPoolSize = Math.Min(builder.MaxPoolSize, MaxPoolSize);
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, builder.MaxPoolSize);
        return builder.ConnectionString;
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
            BindClock(command.Parameters);
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

        await using var command = _source.CreateCommand($"DELETE FROM {Table} WHERE expires_at < {Now}");
        BindClock(command.Parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // NULL (PostgreSQL's now()) in production; the fake clock's time in tests that drive one.
    private void BindClock(NpgsqlParameterCollection parameters) =>
        parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = databaseClock ? DBNull.Value : time.GetUtcNow() });

    // The name (up to the first colon) stays readable; what follows is replaced by its HMAC, truncated to 128 bits.
    private string Seal(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return key;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(keyKey, Encoding.UTF8.GetBytes(key[(colon + 1)..]), mac);
        return string.Concat(key.AsSpan(0, colon + 1), Convert.ToHexStringLower(mac[..16]));
    }
}
