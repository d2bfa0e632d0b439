using Keyward.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    /// <summary>
    /// Another process holds <c>BEGIN EXCLUSIVE</c> on the SQLite file: requests that need to write answer 503
    /// <c>storage_busy</c> with Retry-After once Keyward:Storage:BusyTimeout has passed (not an empty 500 after 30 s),
    /// and the broker serves normally once the lock is released.
    /// </summary>
    protected async Task LockedDatabaseAnswersStorageBusyAsync()
    {
        var (_, client, admin) = await StartWithAdminAsync(s => s["Keyward:Storage:BusyTimeout"] = "00:00:01");
        await using var holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_data.Path, "keyward.db"), Pooling = false }.ToString());
        await holder.OpenAsync();
        await ExecuteAsync(holder, "BEGIN EXCLUSIVE;");

        var locked = await client.LoginBeginAsync("admin");
        var logout = await client.LogoutAsync(admin.Token);

        await ExecuteAsync(holder, "ROLLBACK;");
        ProblemAssert.Problem(locked, 503, "storage_busy");
        Assert.Equal("5", Assert.Single(locked.Headers.GetValues("Retry-After")));
        ProblemAssert.Problem(logout, 503, "storage_busy");

        // Released: the broker serves again, writes included.
        var again = await client.LoginAsync("admin");
        ProblemAssert.Ok(await client.StatusAsync(again.Token));
        ProblemAssert.Ok(await client.LogoutAsync(again.Token));
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
