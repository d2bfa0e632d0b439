using Keyward.Testing;
using Npgsql;

namespace Keyward.Core.Tests.Support;

/// <summary>The test infrastructure itself: a cluster that starts, serves, isolates and cleans up.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class PostgresClusterTests(PostgresFixture postgres)
{
    [Fact]
    public async Task ConnectionString_RunningCluster_AcceptsAConnection()
    {
        await using var connection = new NpgsqlConnection(postgres.Cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user, current_database(), current_setting('fsync')", connection);
        await using var reader = await command.ExecuteReaderAsync();

        Assert.True(await reader.ReadAsync());
        Assert.Equal(PostgresCluster.UserName, reader.GetString(0));
        Assert.Equal(PostgresCluster.DefaultDatabase, reader.GetString(1));
        Assert.Equal("off", reader.GetString(2));
    }

    [Fact]
    public async Task CreateDatabaseAsync_TwoDatabases_DoNotShareTables()
    {
        var first = await postgres.Cluster.CreateDatabaseAsync("isolation_first");
        var second = await postgres.Cluster.CreateDatabaseAsync();

        await ExecuteAsync(first, "CREATE TABLE marker (id int); INSERT INTO marker VALUES (1);");

        Assert.Equal(1L, await ScalarAsync(first, "SELECT count(*) FROM marker"));
        Assert.Equal(0L, await ScalarAsync(second, "SELECT count(*) FROM pg_tables WHERE tablename = 'marker'"));
    }

    [Fact]
    public async Task CreateDatabaseAsync_NameNeedingQuotes_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => postgres.Cluster.CreateDatabaseAsync("x\"; DROP DATABASE keyward; --"));
    }

    [Fact]
    public async Task ConnectionString_ListensOnLoopbackOnly()
    {
        Assert.Equal("127.0.0.1", await ScalarAsync(postgres.Cluster.ConnectionString, "SELECT current_setting('listen_addresses')"));
        Assert.Equal((long)postgres.Cluster.Port, Convert.ToInt64(await ScalarAsync(postgres.Cluster.ConnectionString, "SELECT current_setting('port')::int"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task DisposeAsync_StartedCluster_StopsServerAndDeletesFolder()
    {
        // A cluster of its own: disposing the shared one would break the other tests.
        var cluster = await PostgresCluster.StartAsync();
        var root = cluster.RootDirectory;
        var connectionString = await cluster.CreateDatabaseAsync();
        Assert.Equal(1, await ScalarAsync(connectionString, "SELECT 1"));
        Assert.True(Directory.Exists(Path.Combine(root, "data")));

        await cluster.DisposeAsync();

        Assert.False(Directory.Exists(root));
        var refused = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 }.ConnectionString;
        await using var connection = new NpgsqlConnection(refused);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => cluster.CreateDatabaseAsync());
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
