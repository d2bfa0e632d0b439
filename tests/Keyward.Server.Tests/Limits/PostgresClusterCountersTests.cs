using Keyward.Server.Http;
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

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync();
        _nodeA = Node(_time, databaseClock: false);
        _nodeB = Node(_time, databaseClock: false);
    }

    public async Task DisposeAsync()
    {
        await _nodeA.DisposeAsync();
        await _nodeB.DisposeAsync();
        using var connection = new NpgsqlConnection(_connectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    private PostgresClusterCounters Node(TimeProvider time, bool databaseClock, byte[]? keyKey = null) =>
        new(_connectionString, time, keyKey ?? new byte[32], databaseClock);

    [Fact]
    public async Task Add_FiftyParallelIncrementsFromTwoNodes_CountFifty()
    {
        var totals = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? _nodeA : _nodeB).AddAsync("k", 1, Minute).AsTask()));

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), totals.Select(t => t.Total).Order());
        Assert.Equal(51, (await _nodeA.AddAsync("k", 1, Minute)).Total);
        Assert.Equal(50, (await _nodeB.AddAsync("k", -1, Minute)).Total);
    }

    [Fact]
    public async Task Add_InTheNextWindow_StartsAgainFromZero_AndKeysAreApart()
    {
        _time.Advance(TimeSpan.FromSeconds(20));
        var first = await _nodeA.AddAsync("w", 5, Minute);
        Assert.Equal((5L, 1_800_000_000L / 60, TimeSpan.FromSeconds(40)), (first.Total, first.Window, first.Left));
        Assert.Equal(1, (await _nodeB.AddAsync("other", 1, Minute)).Total);

        _time.Advance(Minute);

        var next = await _nodeB.AddAsync("w", 1, Minute);
        Assert.Equal((1L, first.Window + 1), (next.Total, next.Window));
    }

    [Fact]
    public async Task Add_WithTheWindowItWasReservedIn_RefundsThatWindow_NotTheCurrentOne()
    {
        var reserved = await _nodeA.AddAsync("j", 1, Minute);
        _time.Advance(Minute);

        var refund = await _nodeB.AddAsync("j", -1, Minute, reserved.Window);

        Assert.Equal((0L, reserved.Window), (refund.Total, refund.Window));
        Assert.Equal(1, (await _nodeA.AddAsync("j", 1, Minute)).Total);
    }

    [Fact]
    public async Task Take_FiftyParallelFromTwoNodes_TakeExactlyTheCapacity_ThenRefillAtTheRate()
    {
        var takes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? _nodeA : _nodeB).TakeAsync("bucket", 10).AsTask()));

        Assert.Equal(10, takes.Count(t => t.Taken));
        Assert.All(takes.Where(t => !t.Taken), t => Assert.InRange(t.Tokens, 0, 1));

        // Ten a minute: six seconds earn one token, no more.
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True((await _nodeB.TakeAsync("bucket", 10)).Taken);
        Assert.False((await _nodeA.TakeAsync("bucket", 10)).Taken);

        // A token given back is there at once; the bucket never holds more than its capacity.
        await _nodeA.GiveBackAsync("bucket", 10);
        Assert.True((await _nodeB.TakeAsync("bucket", 10)).Taken);
        _time.Advance(TimeSpan.FromMinutes(10));
        await _nodeA.GiveBackAsync("bucket", 10);
        var full = await _nodeA.TakeAsync("bucket", 10);
        Assert.Equal((true, 9.0), (full.Taken, full.Tokens));
    }

    [Fact]
    public async Task Fail_CountsARunAcrossNodes_AQuietSpellStartsItAgain_AndClearEndsIt()
    {
        var quiet = TimeSpan.FromMinutes(5);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? _nodeA : _nodeB).FailAsync("run", quiet).AsTask()));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(new FailureRun(20, TimeSpan.FromSeconds(3)), await _nodeB.ReadRunAsync("run"));

        _time.Advance(quiet - TimeSpan.FromSeconds(3));
        Assert.Equal(21, (await _nodeA.FailAsync("run", quiet)).Count);
        _time.Advance(quiet + TimeSpan.FromSeconds(1));
        Assert.Equal(new FailureRun(1, TimeSpan.Zero), await _nodeB.FailAsync("run", quiet));

        await _nodeA.ClearAsync(["run", "absent"]);
        Assert.Null(await _nodeB.ReadRunAsync("run"));
    }

    [Fact]
    public async Task DatabaseClock_NodesHoursApart_AgreeOnARun_AndTheFastOneSweepsNoLiveRow()
    {
        // In production the statements read PostgreSQL's clock, whatever each node's says. Node B runs an hour slow,
        // node A an hour fast: on their own clocks A would see B's failures as two hours old (a quiet spell: the run
        // would start again at one) and its first sweep would delete B's row as expired.
        var quiet = TimeSpan.FromMinutes(5);
        var real = DateTimeOffset.UtcNow;
        await using var slow = Node(new FakeTimeProvider(real - TimeSpan.FromHours(1)), databaseClock: true);
        await using var fast = Node(new FakeTimeProvider(real + TimeSpan.FromHours(1)), databaseClock: true);

        await slow.FailAsync("run", quiet);
        await slow.FailAsync("run", quiet);
        var run = await fast.FailAsync("run", quiet);

        Assert.Equal(3, run.Count);
        Assert.InRange(run.SinceLast, TimeSpan.Zero, quiet);
        Assert.Equal(3, (await slow.ReadRunAsync("run"))!.Value.Count);
    }

    [Theory]
    [InlineData("Host=db;Database=k", 4)]
    [InlineData("Host=db;Database=k;Maximum Pool Size=100", 4)]
    [InlineData("Host=db;Database=k;Maximum Pool Size=2;Minimum Pool Size=3", 2)]
    public void Pool_IsCappedAtFourConnectionsPerNode_ALowerSettingWins(string connectionString, int expected)
    {
        var capped = new NpgsqlConnectionStringBuilder(PostgresClusterCounters.Capped(connectionString));

        Assert.Equal(expected, capped.MaxPoolSize);
        Assert.InRange(capped.MinPoolSize, 0, capped.MaxPoolSize);
    }

    [Fact]
    public async Task AnyOperation_DatabaseUnreachable_ThrowsUnavailableWithoutProviderText()
    {
        await using var unreachable = new PostgresClusterCounters("Host=127.0.0.1;Port=1;Database=none;Username=none;Password=hunter2;Timeout=2", _time, new byte[32], databaseClock: false);

        var e = await Assert.ThrowsAsync<ClusterCountersUnavailableException>(() => unreachable.AddAsync("k", 1, Minute).AsTask());

        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_HoldNoAddressOrNameInTheClear_NorAnUnkeyedHashOfIt()
    {
        var key = CounterKey.Hashed("signin", "a:198.51.100.7");
        await _nodeA.FailAsync(key, TimeSpan.FromMinutes(5));
        await using (var otherSecret = Node(_time, databaseClock: false, keyKey: Enumerable.Repeat((byte)7, 32).ToArray()))
        {
            await otherSecret.FailAsync(key, TimeSpan.FromMinutes(5));
        }

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand($"SELECT key FROM {PostgresClusterCounters.Table} ORDER BY key", connection);
        var stored = new List<string>();
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetString(0));
            }
        }

        // Two rows: the same address under two instance secrets hashes apart, so the hash is keyed (a dictionary of
        // addresses hashed without the secret matches neither).
        Assert.Equal(2, stored.Count);
        var unkeyed = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("a:198.51.100.7"u8)[..16]);
        Assert.All(stored, k =>
        {
            Assert.StartsWith("signin:", k, StringComparison.Ordinal);
            Assert.DoesNotContain("198.51.100.7", k, StringComparison.Ordinal);
            Assert.DoesNotContain(unkeyed, k, StringComparison.Ordinal);
        });
    }
}
