using System.Security.Cryptography;
using Keyward.Core.Accounts;
using Keyward.Core.Ceremonies;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Storage;

/// <summary>
/// The sign-in's writes as plain commands (<see cref="PlainCommand"/>, issue 15) store each value exactly as EF Core
/// does, on SQLite and PostgreSQL: what they write EF Core finds and reads back field for field, what EF Core wrote
/// they find (a <c>WHERE "Id" = @id</c> that bound a Guid in another form would match nothing), and on SQLite the stored
/// forms are the same as EF Core's own rows (a Guid as upper-case TEXT, a bool as INTEGER). The ceremony's
/// <c>DELETE … RETURNING</c> stays single use under real concurrency.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "xUnit disposes through IAsyncLifetime.DisposeAsync.")]
public sealed class PlainCommandTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly TempDirectory _folder = new("keyward-plain-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Ceremony_SavedByPlainCommand_ReadsBackWithEfCore_AndOneSavedByEfCore_IsTakenByPlainCommand(StorageProvider provider)
    {
        var database = await OpenAsync(provider);
        var store = new CeremonyStore(database, _time);
        var challenge = RandomNumberGenerator.GetBytes(32);

        var id = await store.SaveAsync("login", challenge, "{\"state\":1}", TimeSpan.FromMinutes(5));
        await using (var db = database.CreateContext())
        {
            var row = await db.Ceremonies.AsNoTracking().SingleAsync(c => c.Id == id);
            Assert.Equal(Tenants.Default, row.TenantId);
            Assert.Equal("login", row.Kind);
            Assert.Equal(challenge, row.Challenge);
            Assert.Equal("{\"state\":1}", row.State);
            Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds() + 300_000, row.ExpiresAt);
        }

        var byEf = new CeremonyEntity
        {
            Id = Guid.NewGuid(),
            TenantId = Tenants.Default,
            Kind = "login",
            Challenge = RandomNumberGenerator.GetBytes(32),
            State = "{\"ef\":true}",
            ExpiresAt = _time.GetUtcNow().ToUnixTimeMilliseconds() + 60_000,
        };
        await using (var db = database.CreateContext())
        {
            db.Ceremonies.Add(byEf);
            await db.SaveChangesAsync();
        }

        if (provider == StorageProvider.Sqlite)
        {
            // The same stored forms as EF Core's own row: the Guid as upper-case TEXT.
            Assert.Equal(await StoredAsync(database, "ceremonies", byEf.Id), await StoredAsync(database, "ceremonies", id));
        }

        Assert.Null(await store.ConsumeAsync(byEf.Id, "register"));
        var taken = await store.ConsumeAsync(byEf.Id, "login");
        Assert.NotNull(taken);
        Assert.Equal(byEf.Challenge, taken.Challenge);
        Assert.Equal(byEf.State, taken.State);
        Assert.Equal(byEf.ExpiresAt, taken.ExpiresAt);
        Assert.Null(await store.ConsumeAsync(byEf.Id, "login"));
        await using (var db = database.CreateContext())
        {
            Assert.False(await db.Ceremonies.AnyAsync(c => c.Id == byEf.Id));
            Assert.True(await db.Ceremonies.AnyAsync(c => c.Id == id));
        }
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Session_InsertedByPlainCommand_ReadsBackWithEfCore(StorageProvider provider)
    {
        var database = await OpenAsync(provider);
        var (account, key) = await AddAccountWithKeyAsync(database);
        var sessions = new SessionService(database, _time, new SessionOptions());

        var (token, info, _) = await sessions.CreateAsync(account, key.Id, userVerified: true, "192.0.2.7", clientDevice: "Firefox on Linux");
        var withoutAddress = (await sessions.CreateAsync(account, key.Id, userVerified: false, clientAddress: null)).Session;

        await using var db = database.CreateContext();
        var row = await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == info.Id);
        Assert.Equal(Tenants.Default, row.TenantId);
        Assert.Equal(account.Id, row.AccountId);
        Assert.Equal(key.Id, row.AuthenticatorId);
        Assert.True(row.UserVerified);
        Assert.Equal(Keyward.Core.Credentials.SecretToken.Hash(Keyward.Core.Credentials.CredentialKind.Session, token), row.TokenHash);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), row.CreatedAt);
        Assert.Equal(row.CreatedAt, row.LastSeenAt);
        Assert.True(row.ExpiresAt > row.CreatedAt);
        Assert.Equal("192.0.2.7", row.ClientAddress);
        Assert.Equal("Firefox on Linux", row.ClientDevice);
        Assert.Null(row.RevokedAt);
        var other = await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == withoutAddress.Id);
        Assert.False(other.UserVerified);
        Assert.Null(other.ClientAddress);
        Assert.Null(other.ClientDevice);

        // EF Core's own queries by the foreign keys find the rows: the Guids are in EF Core's form.
        Assert.Equal(2, await db.Sessions.CountAsync(s => s.AccountId == account.Id && s.AuthenticatorId == key.Id));
        Assert.Equal(1, await db.Sessions.CountAsync(s => s.UserVerified));

        // And the check path (EF Core's query) accepts the token a plain INSERT stored, from the database.
        var fresh = new SessionService(database, _time, new SessionOptions());
        Assert.True((await fresh.CheckAsync(token)).IsValid);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task SignCount_RecordedByPlainCommand_OnARowEfCoreWrote_StaysForwardOnly(StorageProvider provider)
    {
        var database = await OpenAsync(provider);
        var (_, key) = await AddAccountWithKeyAsync(database);
        var accounts = new AccountService(database, _time);

        await accounts.RecordAssertionAsync(key.Id, 7, backedUp: true);
        Assert.Equal((7L, true, _time.GetUtcNow().ToUnixTimeMilliseconds()), await ReadKeyAsync(database, key.Id));

        // A lower count never moves it back (the database keeps the larger value); the flags and the time still change.
        _time.Advance(TimeSpan.FromSeconds(1));
        await accounts.RecordAssertionAsync(key.Id, 3, backedUp: false);
        Assert.Equal((7L, false, _time.GetUtcNow().ToUnixTimeMilliseconds()), await ReadKeyAsync(database, key.Id));

        await accounts.RecordAssertionAsync(key.Id, 9, backedUp: false);
        Assert.Equal(9L, (await ReadKeyAsync(database, key.Id)).SignCount);

        if (provider == StorageProvider.Sqlite)
        {
            Assert.Equal("integer", await ScalarAsync(database, $"SELECT typeof(\"BackedUp\") FROM authenticators WHERE \"Id\" = '{key.Id.ToString().ToUpperInvariant()}'"));
        }
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Ceremony_ThirtyTwoConcurrentTakes_ExactlyOneGetsIt(StorageProvider provider)
    {
        var database = await OpenAsync(provider);
        var id = await new CeremonyStore(database, _time).SaveAsync("login", RandomNumberGenerator.GetBytes(32), "{}", TimeSpan.FromMinutes(5));

        // Each on its own store and context (so its own connection), released together.
        using var start = new ManualResetEventSlim();
        var takes = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await new CeremonyStore(database, _time).ConsumeAsync(id, "login");
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(takes);

        Assert.Single(results, r => r is not null);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task SignInReads_ByPlainCommand_FindRowsEfCoreWrote_FieldForField(StorageProvider provider)
    {
        var database = await OpenAsync(provider);
        var (account, older) = await AddAccountWithKeyAsync(database);
        var newer = new AuthenticatorEntity
        {
            Id = Guid.NewGuid(),
            TenantId = Tenants.Default,
            AccountId = account.Id,
            CredentialId = RandomNumberGenerator.GetBytes(48),
            PublicKey = RandomNumberGenerator.GetBytes(77),
            Name = "second key",
            SignCount = 4_000_000_000,
            BackupEligible = true,
            BackedUp = true,
            UserVerifiedAtRegistration = true,
            Format = "packed",
            Aaguid = RandomNumberGenerator.GetBytes(16),
            Transports = "internal,hybrid",
            CreatedAt = older.CreatedAt + 1,
            LastUsedAt = 1_765_000_000_123,
        };
        var disabled = new AccountEntity
        {
            Id = Guid.NewGuid(),
            TenantId = Tenants.Default,
            Name = "Carol",
            Role = Roles.Admin,
            UserHandle = RandomNumberGenerator.GetBytes(16),
            CreatedAt = 1_765_000_000_000,
            DisabledAt = 1_765_000_000_999,
        };
        await using (var db = database.CreateContext())
        {
            db.Authenticators.Add(newer);
            db.Accounts.Add(disabled);
            await db.SaveChangesAsync();
        }

        var accounts = new AccountService(database, _time);
        await using (var db = database.CreateContext())
        {
            // By the typed name (its lookup key), and a name stored before names were prepared, by its exact spelling.
            Assert.Equivalent(account, await accounts.FindAccountByTypedNameAsync(db, "ALICE"), strict: true);
            Assert.Equivalent(disabled, await accounts.FindAccountByTypedNameAsync(db, "Carol"), strict: true);
            Assert.Null(await accounts.FindAccountByTypedNameAsync(db, "nobody"));
            Assert.Equivalent(disabled, await accounts.GetAccountAsync(db, disabled.Id), strict: true);
            Assert.Null(await accounts.GetAccountAsync(db, Guid.NewGuid()));

            // The keys oldest first, every column as EF Core wrote it (a null LastUsedAt, a count past int's range).
            var keys = await accounts.ListAuthenticatorsAsync(db, account.Id);
            Assert.Equal(2, keys.Count);
            Assert.Equivalent(older, keys[0], strict: true);
            Assert.Equivalent(newer, keys[1], strict: true);
            Assert.Equivalent(newer, await accounts.FindAuthenticatorAsync(db, newer.CredentialId), strict: true);
            Assert.Null(await accounts.FindAuthenticatorAsync(db, RandomNumberGenerator.GetBytes(32)));
            Assert.Empty(await accounts.ListAuthenticatorsAsync(db, disabled.Id));

            // The options' reads: the same two columns, in the same order, of the same rows.
            Assert.Equal([new AllowedKey(older.CredentialId, older.Transports), new AllowedKey(newer.CredentialId, newer.Transports)],
                await accounts.AllowedKeysAsync(db, account.Id), AllowedKeyComparer.Instance);
            var first = await accounts.FirstAllowedKeyAsync(db);
            Assert.NotNull(first);
            Assert.Equal(older.CredentialId, first.Value.CredentialId);
            Assert.Equal(older.Transports, first.Value.Transports);
            Assert.Equivalent(older, await accounts.FirstAuthenticatorAsync(db), strict: true);
        }
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task FirstAllowedKey_WithNoKeyRegistered_IsNull(StorageProvider provider)
    {
        var database = await OpenAsync(provider);
        await TestAccounts.AddUserAsync(database);
        await using var db = database.CreateContext();
        Assert.Null(await new AccountService(database, _time).FirstAllowedKeyAsync(db));
        Assert.Null(await new AccountService(database, _time).FirstAuthenticatorAsync(db));
    }

    [Fact]
    public async Task Ceremony_TakenAtItsExpiry_IsRefusedAndRemoved()
    {
        var database = await OpenAsync(StorageProvider.Sqlite);
        var store = new CeremonyStore(database, _time);
        var id = await store.SaveAsync("login", RandomNumberGenerator.GetBytes(32), "{}", TimeSpan.FromMinutes(5));

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(await store.ConsumeAsync(id, "login"));
        await using var db = database.CreateContext();
        Assert.False(await db.Ceremonies.AnyAsync(c => c.Id == id));
    }

    private static async Task<(long SignCount, bool BackedUp, long LastUsedAt)> ReadKeyAsync(KeywardDatabase database, Guid id)
    {
        await using var db = database.CreateContext();
        var row = await db.Authenticators.AsNoTracking().SingleAsync(a => a.Id == id);
        return (row.SignCount, row.BackedUp, row.LastUsedAt ?? 0);
    }

    // The stored type of each column of a row (SQLite's typeof); asserts the Id is stored as its upper-case text.
    private static async Task<string?> StoredAsync(KeywardDatabase database, string table, Guid id)
    {
        var text = id.ToString().ToUpperInvariant();
        var types = await ScalarAsync(database, $"SELECT typeof(\"Id\") || ',' || typeof(\"TenantId\") || ',' || typeof(\"Kind\") || ',' || typeof(\"Challenge\") || ',' || typeof(\"State\") || ',' || typeof(\"ExpiresAt\") FROM {table} WHERE \"Id\" = '{text}'");
        Assert.Equal(text, await ScalarAsync(database, $"SELECT \"Id\" FROM {table} WHERE \"Id\" = '{text}'"));
        return types;
    }

    private static async Task<string?> ScalarAsync(KeywardDatabase database, string sql)
    {
        await using var db = database.CreateContext();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
#pragma warning disable CA2100 // Test SQL from fixed table names and Guids.
        command.CommandText = sql;
#pragma warning restore CA2100
        return (await command.ExecuteScalarAsync())?.ToString();
    }

    private async Task<KeywardDatabase> OpenAsync(StorageProvider provider)
    {
        var storage = provider == StorageProvider.Postgres
            ? new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = await postgres.CreateDatabaseAsync() }
            : new StorageOptions { Provider = StorageProvider.Sqlite };
        var database = new KeywardDatabase(storage, _folder.Path);
        await database.MigrateAsync(_time);
        return database;
    }

    private static async Task<(AccountEntity Account, AuthenticatorEntity Key)> AddAccountWithKeyAsync(KeywardDatabase database)
    {
        var account = await TestAccounts.AddUserAsync(database);
        var key = new AuthenticatorEntity
        {
            Id = Guid.NewGuid(),
            TenantId = Tenants.Default,
            AccountId = account.Id,
            CredentialId = RandomNumberGenerator.GetBytes(32),
            PublicKey = RandomNumberGenerator.GetBytes(77),
            Name = "key",
            SignCount = 5,
            Format = "none",
            Aaguid = new byte[16],
            Transports = "usb",
        };
        await using var db = database.CreateContext();
        db.Authenticators.Add(key);
        await db.SaveChangesAsync();
        return (account, key);
    }

    // AllowedKey is a record struct over an array: equal when the bytes and the transports are.
    private sealed class AllowedKeyComparer : IEqualityComparer<AllowedKey>
    {
        public static readonly AllowedKeyComparer Instance = new();

        public bool Equals(AllowedKey x, AllowedKey y) => x.CredentialId.AsSpan().SequenceEqual(y.CredentialId) && x.Transports == y.Transports;

        public int GetHashCode(AllowedKey obj) => obj.Transports.GetHashCode(StringComparison.Ordinal);
    }
}
