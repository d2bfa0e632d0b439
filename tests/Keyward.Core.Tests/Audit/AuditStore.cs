using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Tests.Audit;

/// <summary>A migrated, empty database for audit tests: a SQLite file in a temporary folder, or a fresh PostgreSQL database.</summary>
internal sealed class AuditStore : IAsyncDisposable
{
    private readonly TempDirectory _folder;

    private AuditStore(TempDirectory folder, StorageOptions options)
    {
        _folder = folder;
        Options = options;
        Database = new KeywardDatabase(options, folder.Path);
    }

    public KeywardDatabase Database { get; }

    public StorageOptions Options { get; }

    public string Folder => _folder.Path;

    public static async Task<AuditStore> CreateAsync(StorageProvider provider, PostgresFixture postgres)
    {
        var options = provider == StorageProvider.Postgres
            ? new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = await postgres.CreateDatabaseAsync() }
            : new StorageOptions { Provider = StorageProvider.Sqlite };
        var store = new AuditStore(new TempDirectory("keyward-audit-"), options);
        await store.Database.MigrateAsync(TimeProvider.System);
        return store;
    }

    /// <summary>A second node (or a restart) over the same store.</summary>
    public KeywardDatabase Reopen() => new(Options, Folder);

    public static AuditRecord Record(int i, string actor = "alice") => new()
    {
        Actor = actor,
        Action = i % 3 == 0 ? AuditActions.SignInFailed : AuditActions.SignInSucceeded,
        Outcome = i % 3 == 0 ? AuditOutcomes.Denied : AuditOutcomes.Success,
        Target = i % 2 == 0 ? $"session/{i}" : null,
        ClientAddress = "192.0.2.1",
        Details = new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["why"] = "test \"quoted\" é" },
    };

    public async Task<List<AuditEventEntity>> EventsAsync()
    {
        await using var db = Database.CreateContext();
        return await db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
    }

    public async Task<List<AuditNodeEntity>> NodesAsync()
    {
        await using var db = Database.CreateContext();
        return await db.AuditNodes.AsNoTracking().OrderBy(n => n.Level).ThenBy(n => n.Index).ToListAsync();
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var db = Database.CreateContext();
#pragma warning disable EF1002 // Test-only SQL written in the test.
        await db.Database.ExecuteSqlRawAsync(sql);
#pragma warning restore EF1002
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
