using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Keyward.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Vault;

/// <summary>A migrated database (a SQLite file, or a fresh PostgreSQL database) with the vault's services over it.</summary>
internal sealed class VaultStore : IAsyncDisposable
{
    private readonly TempDirectory _folder = new("keyward-vault-");
    private readonly StorageOptions _storage;
    private readonly List<LocalKeyEncryptionKeys> _loaded = [];

    private VaultStore(StorageOptions storage, TestKeks keks)
    {
        _storage = storage;
        Keks = keks;
        Database = new KeywardDatabase(storage, _folder.Path);
        Keys = Track(keks.Load());
    }

    public static readonly Guid Operator = Guid.Parse("0b3c6a36-70f4-4d33-9d43-5f1b6f1c2a01");
    public static readonly Guid Actor = Guid.Parse("6d8e2f4a-1b2c-4d3e-8f90-a1b2c3d4e5f6");

    public KeywardDatabase Database { get; }
    public TestKeks Keks { get; }
    public LocalKeyEncryptionKeys Keys { get; }
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

    public static async Task<VaultStore> CreateAsync(StorageProvider provider = StorageProvider.Sqlite, PostgresFixture? postgres = null, TestKeks? keks = null, bool initialize = true)
    {
        var storage = provider == StorageProvider.Postgres
            ? new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = await postgres!.CreateDatabaseAsync() }
            : new StorageOptions { Provider = StorageProvider.Sqlite };
        var store = new VaultStore(storage, keks ?? new TestKeks(1, 2, 3));
        await store.Database.MigrateAsync(TimeProvider.System);
        if (initialize)
        {
            Assert.True((await store.Epochs().InitializeAsync()).Succeeded);
        }

        return store;
    }

    public static VaultAddress Address(string path = "github/token", VaultDataClass? dataClass = null) =>
        new(Tenants.Default, dataClass ?? VaultDataClass.Credential, Operator, Actor, path);

    /// <summary>The same store opened again: another broker node.</summary>
    public KeywardDatabase Reopen() => new(_storage, _folder.Path);

    public VaultService Service(IKeyEncryptionKeyProvider? keys = null, int maxValueBytes = 64 * 1024) =>
        new(Database, keys ?? Keys, Keks.Options(maxValueBytes), Time);

    public VaultEpochs Epochs(IKeyEncryptionKeyProvider? keys = null, KeywardDatabase? database = null) => new(database ?? Database, keys ?? Keys, Time);

    public VaultRekey Rekey(int batchSize = 100, IKeyEncryptionKeyProvider? keys = null) => new(Database, keys ?? Keys, Keks.Options(rekeyBatchSize: batchSize));

    public LocalKeyEncryptionKeys Track(LocalKeyEncryptionKeys keys)
    {
        _loaded.Add(keys);
        return keys;
    }

    public async Task<List<VaultSecretEntity>> RowsAsync()
    {
        await using var db = Database.CreateContext();
        return await db.VaultSecrets.AsNoTracking().OrderBy(s => s.Id).ToListAsync();
    }

    public async Task UpdateRowAsync(long id, Action<VaultSecretEntity> change)
    {
        await using var db = Database.CreateContext();
        var row = await db.VaultSecrets.SingleAsync(s => s.Id == id);
        change(row);
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var keys in _loaded)
        {
            keys.Dispose();
        }

        SqliteConnection.ClearAllPools();
        _folder.Dispose();
        await Task.CompletedTask;
    }
}
