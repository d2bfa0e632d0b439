using Keyward.Core.Accounts;
using Keyward.Core.Storage;
using Keyward.Testing;
using Microsoft.Data.Sqlite;

namespace Keyward.Core.Tests.Sessions;

/// <summary>A migrated SQLite file in a temporary folder, with accounts to open sessions for.</summary>
internal sealed class SessionDatabase : IAsyncDisposable
{
    private readonly TempDirectory _folder = new("keyward-sessions-");
    private readonly StorageOptions _options = new() { Provider = StorageProvider.Sqlite };

    private SessionDatabase() => Database = new KeywardDatabase(_options, _folder.Path);

    public KeywardDatabase Database { get; }

    public static async Task<SessionDatabase> CreateAsync()
    {
        var store = new SessionDatabase();
        await store.Database.MigrateAsync(TimeProvider.System);
        return store;
    }

    /// <summary>The same file opened again: another broker node, or this one after a restart.</summary>
    public KeywardDatabase Reopen() => new(_options, _folder.Path);

    /// <summary>A user account in the default tenant (<see cref="Storage.TestAccounts.AddUserAsync"/>).</summary>
    public Task<AccountEntity> AddAccountAsync(string name) => Storage.TestAccounts.AddUserAsync(Database, name);

    public async Task<SessionEntity> SessionRowAsync(Guid id)
    {
        await using var db = Database.CreateContext();
        return await db.Sessions.FindAsync(id) ?? throw new InvalidOperationException($"No session {id}.");
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
