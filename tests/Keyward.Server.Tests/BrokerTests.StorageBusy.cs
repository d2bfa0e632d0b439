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

        // The answer is written after the response was cleared; over https it still carries HSTS.
        Assert.Equal([DefaultHsts], locked.Headers.GetValues("Strict-Transport-Security"));
        ProblemAssert.Problem(logout, 503, "storage_busy");

        // Released: the broker serves again, writes included.
        var again = await client.LoginAsync("admin");
        ProblemAssert.Ok(await client.StatusAsync(again.Token));
        ProblemAssert.Ok(await client.LogoutAsync(again.Token));
    }

    /// <summary>
    /// <c>/readyz</c> while another process holds the database lock: 503 <c>not_ready</c> naming the database within
    /// Keyward:Storage:BusyTimeout, and ready again once the lock is released (after the one-second reuse of an answer).
    /// </summary>
    protected async Task ReadyzWithTheDatabaseLockedAnswersNotReadyAsync()
    {
        var (host, client, _) = await StartWithAdminAsync(s => s["Keyward:Storage:BusyTimeout"] = "00:00:01");
        ProblemAssert.Ok(await client.GetAsync("/readyz"));
        await using var holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_data.Path, "keyward.db"), Pooling = false }.ToString());
        await holder.OpenAsync();
        await ExecuteAsync(holder, "BEGIN EXCLUSIVE;");
        host.Time.Advance(TimeSpan.FromSeconds(2));

        var locked = await client.GetAsync("/readyz");

        await ExecuteAsync(holder, "ROLLBACK;");
        ProblemAssert.Problem(locked, 503, "not_ready");
        Assert.Contains("database", locked.Body, StringComparison.Ordinal);
        host.Time.Advance(TimeSpan.FromSeconds(2));
        ProblemAssert.Ok(await client.GetAsync("/readyz"));
    }

    [Fact]
    public async Task Readyz_WhileTheAuditLogCannotWrite_AnswersNotReady_ThenReadyAgain()
    {
        var (host, client, _) = await StartWithAdminAsync();
        var ready = await client.GetAsync("/readyz");

        host.Audit.Failing = true;
        host.Time.Advance(TimeSpan.FromSeconds(2));
        var failing = await client.GetAsync("/readyz");
        host.Audit.Failing = false;
        host.Time.Advance(TimeSpan.FromSeconds(2));
        var again = await client.GetAsync("/readyz");

        ProblemAssert.Ok(ready);
        Assert.Equal("ready", ready.Json.GetProperty("status").GetString());
        ProblemAssert.Problem(failing, 503, "not_ready");
        Assert.Contains("audit log", failing.Body, StringComparison.Ordinal);
        ProblemAssert.Ok(again);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
