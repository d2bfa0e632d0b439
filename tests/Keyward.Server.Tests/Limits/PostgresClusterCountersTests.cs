using Keyward.Server.Limits;
using Keyward.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Keyward.Server.Tests.Limits;

/// <summary>
/// The shared counters on a real PostgreSQL (issue 13, item 4): each primitive is one atomic statement, so concurrent
/// callers (two stores stand for two nodes) never lose or double an increment or a token.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes both stores.")]
public sealed class PostgresClusterCountersTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private string _connectionString = string.Empty;
    private PostgresClusterCounters _nodeA = null!;
    private PostgresClusterCounters _nodeB = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync();
        _nodeA = new PostgresClusterCounters(_connectionString, _time);
        _nodeB = new PostgresClusterCounters(_connectionString, _time);
    }

    public async Task DisposeAsync()
    {
        await _nodeA.DisposeAsync();
        await _nodeB.DisposeAsync();
        using var connection = new NpgsqlConnection(_connectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public async Task Add_FiftyParallelIncrementsFromTwoNodes_CountFifty()
    {
        var totals = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? _nodeA : _nodeB).AddAsync("k", 1, Now, Now.AddMinutes(1)).AsTask()));

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), totals.Order());
        Assert.Equal(51, await _nodeA.AddAsync("k", 1, Now, Now.AddMinutes(1)));
        Assert.Equal(50, await _nodeB.AddAsync("k", -1, Now, Now.AddMinutes(1)));
    }

    [Fact]
    public async Task Add_PastItsExpiry_StartsAgainFromZero_AndKeysAreApart()
    {
        await _nodeA.AddAsync("w", 5, Now, Now.AddMinutes(1));
        Assert.Equal(1, await _nodeB.AddAsync("other", 1, Now, Now.AddMinutes(1)));

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, await _nodeB.AddAsync("w", 1, Now, Now.AddMinutes(1)));
    }

    [Fact]
    public async Task Take_FiftyParallelFromTwoNodes_TakeExactlyTheCapacity_ThenRefillAtTheRate()
    {
        var takes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? _nodeA : _nodeB).TakeAsync("bucket", 10, Now).AsTask()));

        Assert.Equal(10, takes.Count(t => t.Taken));
        Assert.All(takes.Where(t => !t.Taken), t => Assert.InRange(t.Tokens, 0, 1));

        // Ten a minute: six seconds earn one token, no more.
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True((await _nodeB.TakeAsync("bucket", 10, Now)).Taken);
        Assert.False((await _nodeA.TakeAsync("bucket", 10, Now)).Taken);

        // A token given back is there at once; the bucket never holds more than its capacity.
        await _nodeA.GiveBackAsync("bucket", 10);
        Assert.True((await _nodeB.TakeAsync("bucket", 10, Now)).Taken);
        _time.Advance(TimeSpan.FromMinutes(10));
        await _nodeA.GiveBackAsync("bucket", 10);
        var full = await _nodeA.TakeAsync("bucket", 10, Now);
        Assert.Equal((true, 9.0), (full.Taken, full.Tokens));
    }

    [Fact]
    public async Task Fail_CountsARunAcrossNodes_AQuietSpellStartsItAgain_AndClearEndsIt()
    {
        var quiet = TimeSpan.FromMinutes(5);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? _nodeA : _nodeB).FailAsync("run", Now, quiet).AsTask()));
        Assert.Equal(new FailureRun(20, Now), await _nodeB.ReadRunAsync("run"));

        _time.Advance(quiet);
        Assert.Equal(21, (await _nodeA.FailAsync("run", Now, quiet)).Count);
        _time.Advance(quiet + TimeSpan.FromSeconds(1));
        Assert.Equal(new FailureRun(1, Now), await _nodeB.FailAsync("run", Now, quiet));

        await _nodeA.ClearAsync(["run", "absent"]);
        Assert.Null(await _nodeB.ReadRunAsync("run"));
    }

    [Fact]
    public async Task AnyOperation_DatabaseUnreachable_ThrowsUnavailableWithoutProviderText()
    {
        await using var unreachable = new PostgresClusterCounters("Host=127.0.0.1;Port=1;Database=none;Username=none;Password=hunter2;Timeout=2", _time);

        var e = await Assert.ThrowsAsync<ClusterCountersUnavailableException>(() => unreachable.AddAsync("k", 1, Now, Now.AddMinutes(1)).AsTask());

        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_HoldNoAddressOrNameInTheClear()
    {
        var key = CounterKey.Hashed("signin", "a:198.51.100.7");
        await _nodeA.FailAsync(key, Now, TimeSpan.FromMinutes(5));

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand($"SELECT key FROM {PostgresClusterCounters.Table}", connection);
        var stored = (string)(await read.ExecuteScalarAsync())!;
        Assert.StartsWith("signin:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.7", stored, StringComparison.Ordinal);
    }
}
