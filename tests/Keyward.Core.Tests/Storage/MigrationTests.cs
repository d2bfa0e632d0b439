using System.Data.Common;
using System.Text;
using Keyward.Core.Storage;
using Keyward.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Keyward.Core.Tests.Storage;

/// <summary>
/// Both providers' migrations against real databases: a fresh SQLite file in a temporary folder and a fresh
/// database on the throwaway PostgreSQL cluster.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class MigrationTests(PostgresFixture postgres) : IDisposable
{
    private readonly List<TempDirectory> _folders = [];

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task MigrateAsync_FreshDatabase_AppliesEveryMigrationAndSeedsDefaultTenant(StorageProvider provider)
    {
        var database = await FreshDatabaseAsync(provider);

        await database.MigrateAsync(TimeProvider.System);

        await using var db = database.CreateContext();
        var known = db.Database.GetMigrations().ToList();
        Assert.NotEmpty(known);
        Assert.Equal(known, await db.Database.GetAppliedMigrationsAsync());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var tenant = Assert.Single(await db.Tenants.ToListAsync());
        Assert.Equal(Tenants.Default, tenant.Id);
    }

    [Fact]
    public async Task MigrateAsync_FreshSqliteFile_CreatesFileInDataDirectoryInWalMode()
    {
        var database = await FreshDatabaseAsync(StorageProvider.Sqlite);

        await database.MigrateAsync(TimeProvider.System);

        Assert.True(File.Exists(Path.Combine(_folders[^1].Path, "keyward.db")));
        await using var db = database.CreateContext();
        Assert.Equal("wal", await ScalarAsync(db, "PRAGMA journal_mode;"));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task HasPendingModelChanges_CurrentModel_AgreesWithMigrations(StorageProvider provider)
    {
        // False means the last migration's snapshot equals the model: nobody changed an entity without
        // running `dotnet ef migrations add` for this provider.
        var database = await FreshDatabaseAsync(provider);

        await using var db = database.CreateContext();

        Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} migrations are behind the model: add a migration for {db.GetType().Name}.");
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite, "Keyward.Core.Storage.Migrations.Sqlite")]
    [InlineData(StorageProvider.Postgres, "Keyward.Core.Storage.Migrations.Postgres")]
    public async Task Migrations_EachProvider_UsesOnlyItsOwnFolder(StorageProvider provider, string expectedNamespace)
    {
        var database = await FreshDatabaseAsync(provider);

        await using var db = database.CreateContext();
        var migrations = db.GetService<IMigrationsAssembly>();

        Assert.NotEmpty(migrations.Migrations);
        Assert.All(migrations.Migrations.Values, type => Assert.Equal(expectedNamespace, type.Namespace));
        Assert.Equal(expectedNamespace, migrations.ModelSnapshot?.GetType().Namespace);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task MigrateAsync_Twice_LeavesSchemaHistoryAndSeedUnchanged(StorageProvider provider)
    {
        var (options, folder) = await FreshStoreAsync(provider);
        await new KeywardDatabase(options, folder).MigrateAsync(TimeProvider.System);
        var before = await DescribeAsync(new KeywardDatabase(options, folder));

        // A restart: a new instance over the same store.
        await new KeywardDatabase(options, folder).MigrateAsync(TimeProvider.System);

        Assert.Equal(before, await DescribeAsync(new KeywardDatabase(options, folder)));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task MigrateAsync_TwoNodesAtOnce_BothSucceedAndSeedOnce(StorageProvider provider)
    {
        // Several broker nodes starting together against one database must not fail or double-seed.
        var (options, folder) = await FreshStoreAsync(provider);
        var first = new KeywardDatabase(options, folder);
        var second = new KeywardDatabase(options, folder);

        await Task.WhenAll(
            Task.Run(() => first.MigrateAsync(TimeProvider.System)),
            Task.Run(() => second.MigrateAsync(TimeProvider.System)));

        await using var db = first.CreateContext();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(1, await db.Tenants.CountAsync());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var folder in _folders)
        {
            folder.Dispose();
        }
    }

    private async Task<KeywardDatabase> FreshDatabaseAsync(StorageProvider provider)
    {
        var (options, folder) = await FreshStoreAsync(provider);
        return new KeywardDatabase(options, folder);
    }

    private async Task<(StorageOptions Options, string DataDirectory)> FreshStoreAsync(StorageProvider provider)
    {
        var folder = new TempDirectory("keyward-core-");
        _folders.Add(folder);
        var options = provider == StorageProvider.Postgres
            ? new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = await postgres.CreateDatabaseAsync() }
            : new StorageOptions { Provider = StorageProvider.Sqlite };
        return (options, folder.Path);
    }

    /// <summary>Tables, columns, indexes, applied migrations and tenants, as comparable text.</summary>
    private static async Task<string> DescribeAsync(KeywardDatabase database)
    {
        await using var db = database.CreateContext();
        var schema = database.Provider == StorageProvider.Postgres
            ? await ScalarAsync(db, """
                SELECT string_agg(line, E'\n' ORDER BY line) FROM (
                    SELECT format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default) AS line
                    FROM information_schema.columns WHERE table_schema = 'public'
                    UNION ALL
                    SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public'
                    UNION ALL
                    SELECT format('constraint %s %s', conname, pg_get_constraintdef(oid))
                    FROM pg_constraint WHERE connamespace = 'public'::regnamespace) AS lines
                """)
            : await ScalarAsync(db, "SELECT group_concat(type || ' ' || name || ' ' || ifnull(sql, ''), char(10)) FROM (SELECT * FROM sqlite_master ORDER BY type, name)");
        var text = new StringBuilder(schema).AppendLine();
        foreach (var migration in await db.Database.GetAppliedMigrationsAsync())
        {
            text.AppendLine("migration " + migration);
        }

        foreach (var tenant in await db.Tenants.OrderBy(t => t.Id).ToListAsync())
        {
            text.AppendLine($"tenant {tenant.Id} {tenant.Name} {tenant.CreatedAt}");
        }

        return text.ToString();
    }

    private static async Task<string> ScalarAsync(KeywardDbContext db, string sql)
    {
        DbConnection connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
