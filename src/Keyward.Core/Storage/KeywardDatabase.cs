using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Keyward.Core.Storage;

/// <summary>
/// Creates contexts for the configured provider and brings the schema up to date at start. Thread-safe; contexts
/// are short-lived (one per operation) and come from a pool.
/// </summary>
public sealed class KeywardDatabase
{
    /// <summary>Configures the database for a provider; <paramref name="dataDirectory"/> holds the SQLite file.</summary>
    public KeywardDatabase(StorageOptions options, string dataDirectory)
        : this(options, dataDirectory, TimeProvider.System)
    {
    }

    /// <summary>
    /// As <see cref="KeywardDatabase(StorageOptions, string)"/>, with the clock that times the idle close of the
    /// writers' kept connections (the host's <see cref="TimeProvider"/>).
    /// </summary>
    public KeywardDatabase(StorageOptions options, string dataDirectory, TimeProvider time)
        : this(options, dataDirectory, [], time, sqliteGroupCommit: true)
    {
    }

    /// <summary>For tests: <paramref name="sqliteInterceptors"/> run after the write gate on every SQLite context.</summary>
    internal KeywardDatabase(StorageOptions options, string dataDirectory, IReadOnlyList<IInterceptor> sqliteInterceptors)
        : this(options, dataDirectory, sqliteInterceptors, TimeProvider.System, sqliteGroupCommit: true)
    {
    }

    private KeywardDatabase(StorageOptions options, string dataDirectory, IReadOnlyList<IInterceptor> sqliteInterceptors, TimeProvider time, bool sqliteGroupCommit)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Provider = options.Provider;
        Dialect = options.Provider == StorageProvider.Postgres
            ? new PostgresDialect(options)
            : new SqliteDialect(options, dataDirectory, sqliteInterceptors, time, sqliteGroupCommit);
    }

    /// <summary>
    /// For benchmarks' baseline: on SQLite, every single-use consume as its own autocommit, as before group commit
    /// (<see cref="SqliteGroupCommit"/>). Everything else is as <see cref="KeywardDatabase(StorageOptions, string)"/>.
    /// </summary>
    internal static KeywardDatabase WithoutGroupCommit(StorageOptions options, string dataDirectory) =>
        new(options, dataDirectory, [], TimeProvider.System, sqliteGroupCommit: false);

    /// <summary>The provider in use.</summary>
    public StorageProvider Provider { get; }

    /// <summary>What this provider does differently below EF Core; chosen here, once.</summary>
    internal StorageDialect Dialect { get; }

    /// <summary>A new context; dispose it after one unit of work.</summary>
    public KeywardDbContext CreateContext() => Dialect.CreateContext();

    /// <summary>Applies pending migrations and seeds the default tenant. Call once at start.</summary>
    public async Task MigrateAsync(TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(time);
        await using var db = CreateContext();
        await Dialect.MigrateAsync(db, cancellationToken).ConfigureAwait(false);

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
}
