using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Keyward.Core.Storage;

/// <summary>
/// Creates contexts for the configured provider and brings the schema up to date at start. Thread-safe; contexts
/// are short-lived (one per operation) and come from a pool.
/// </summary>
public sealed class KeywardDatabase
{
    private readonly Func<KeywardDbContext> _create;

    /// <summary>Configures the database for a provider; <paramref name="dataDirectory"/> holds the SQLite file.</summary>
    public KeywardDatabase(StorageOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        Provider = options.Provider;
        if (options.Provider == StorageProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                throw new ArgumentException("Keyward:Storage:ConnectionString is required when Keyward:Storage:Provider is Postgres.", nameof(options));
            }

            var factory = new PooledDbContextFactory<PostgresKeywardDbContext>(
                new DbContextOptionsBuilder<PostgresKeywardDbContext>().UseNpgsql(options.ConnectionString).Options);
            _create = factory.CreateDbContext;
        }
        else
        {
            var connection = options.ConnectionString ?? new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(dataDirectory, "keyward.db"),
                Pooling = true,
                DefaultTimeout = 30,
            }.ToString();
            var factory = new PooledDbContextFactory<SqliteKeywardDbContext>(
                new DbContextOptionsBuilder<SqliteKeywardDbContext>().UseSqlite(connection).Options);
            _create = factory.CreateDbContext;
        }
    }

    /// <summary>The provider in use.</summary>
    public StorageProvider Provider { get; }

    /// <summary>A new context; dispose it after one unit of work.</summary>
    public KeywardDbContext CreateContext() => _create();

    /// <summary>Applies pending migrations and seeds the default tenant. Call once at start.</summary>
    public async Task MigrateAsync(TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(time);
        await using var db = CreateContext();
        if (Provider == StorageProvider.Sqlite)
        {
            // WAL lets readers run beside the one writer; it is a property of the file, so set it once.
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }

        if (Provider == StorageProvider.Postgres)
        {
            await MigrateUnderLockAsync(db, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!await db.Tenants.AnyAsync(t => t.Id == Tenants.Default, cancellationToken).ConfigureAwait(false))
        {
            db.Tenants.Add(new TenantEntity { Id = Tenants.Default, Name = "Default", CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds() });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Another node seeded it first.
            }
        }
    }

    /// <summary>
    /// Nodes that start together against one PostgreSQL database would otherwise each read the history table, find
    /// the same migrations pending and race to create the same tables. A session-level advisory lock, held on its own
    /// connection for the whole migration, lets exactly one node migrate at a time; the others then find nothing
    /// pending. The lock is released when the connection closes, so a crashed node cannot leave it held.
    /// </summary>
    private static async Task MigrateUnderLockAsync(KeywardDbContext db, CancellationToken cancellationToken)
    {
        var connectionString = db.Database.GetConnectionString();
        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            acquire.Parameters.AddWithValue("key", MigrationLockKey);
            acquire.CommandTimeout = 0;
            await acquire.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    // An arbitrary constant of Keyward's own ("kwmigrat" in ASCII), so the lock does not collide with other tools'.
    private const long MigrationLockKey = 0x6B776D6967726174;
}
