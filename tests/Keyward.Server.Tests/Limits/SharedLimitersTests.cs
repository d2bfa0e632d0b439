using Keyward.Server.Agents;
using Keyward.Server.Limits;
using Keyward.Server.Support;
using Keyward.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Keyward.Server.Tests.Limits;

/// <summary>
/// Issue 13, item 4, for the limiters the two-node broker scenarios do not reach: join failures and enrollment. Each
/// limiter instance stands for one node, with its own counters on the one database; every scenario spreads its attempts
/// over the nodes so that each node alone stays under the limit, so each fails if the limiter counted per node.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class SharedLimitersTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private readonly List<PostgresClusterCounters> _nodes = [];
    private string _connectionString = string.Empty;

    public async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        using var connection = new NpgsqlConnection(_connectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    [Fact]
    public async Task JoinFailures_TwoNodes_ShareOneCountPerAddressGroup()
    {
        var options = Options.Create(new SupportOptions { JoinFailuresPerAddressPerMinute = 2 });
        JoinFailureLimiter[] nodes = [new(options, _time, Counters()), new(options, _time, Counters())];

        // Four failures alternating nodes: two per node (each node's own limit), but the group's limit is two.
        var waits = new List<TimeSpan?>();
        for (var i = 0; i < 4; i++)
        {
            waits.Add((await nodes[i % 2].TryReserveAsync("203.0.113.0")).Wait);
        }

        Assert.Equal([null, null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)], waits);
        Assert.Null((await nodes[1].TryReserveAsync("198.51.100.0")).Wait);
    }

    [Fact]
    public async Task JoinFailures_ARefundAfterTheMinuteTurned_GoesToTheReservedWindow_NotTheNext()
    {
        var options = Options.Create(new SupportOptions { JoinFailuresPerAddressPerMinute = 2 });
        JoinFailureLimiter[] nodes = [new(options, _time, Counters()), new(options, _time, Counters()), new(options, _time, Counters())];

        // A redemption reserved at the end of one minute succeeds (is refunded) in the next.
        _time.Advance(TimeSpan.FromSeconds(59));
        var (_, window) = await nodes[0].TryReserveAsync("203.0.113.0");
        _time.Advance(TimeSpan.FromSeconds(2));
        await nodes[0].RefundAsync("203.0.113.0", window);

        // The new minute still allows exactly two failures: a refund into it would have left -1, an extra guess.
        Assert.Null((await nodes[1].TryReserveAsync("203.0.113.0")).Wait);
        Assert.Null((await nodes[2].TryReserveAsync("203.0.113.0")).Wait);
        Assert.NotNull((await nodes[1].TryReserveAsync("203.0.113.0")).Wait);
    }

    [Fact]
    public async Task Enroll_TwoNodes_ShareOneWindowPerAddress()
    {
        var options = Options.Create(new AgentOptions { EnrollPerAddressPerMinute = 2 });
        using var nodeA = new EnrollLimiter(options, Counters());
        using var nodeB = new EnrollLimiter(options, Counters());
        EnrollLimiter[] nodes = [nodeA, nodeB];

        // Four attempts alternating nodes: two per node (each node's own limit), but the address's limit is two.
        var waits = new List<TimeSpan?>();
        for (var i = 0; i < 4; i++)
        {
            waits.Add(await nodes[i % 2].TryAcquireAsync("198.51.100.7"));
        }

        Assert.Equal([null, null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)], waits);
        Assert.Null(await nodeB.TryAcquireAsync("198.51.100.8"));
    }

    // One node's counters on this test's database, on the test's clock.
    private PostgresClusterCounters Counters()
    {
        var node = new PostgresClusterCounters(_connectionString, _time, new byte[32], databaseClock: false);
        _nodes.Add(node);
        return node;
    }
}
