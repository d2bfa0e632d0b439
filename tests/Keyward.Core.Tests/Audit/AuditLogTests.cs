using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Audit;

/// <summary>The audit log on real databases, SQLite and PostgreSQL: numbering, batching, stored hashes, fail closed.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class AuditLogTests(PostgresFixture postgres)
{
    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task RecordAsync_OneAfterAnother_NumbersFromZeroAndStoresCanonicalLeafHashesAndNodes(StorageProvider provider)
    {
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        await using var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions());

        var sequences = new List<long>();
        for (var i = 0; i < 11; i++)
        {
            sequences.Add(await log.RecordAsync(AuditStore.Record(i)));
        }

        Assert.Equal(Enumerable.Range(0, 11).Select(i => (long)i), sequences);
        var rows = await store.EventsAsync();
        var leaves = rows.Select(r => AuditCanonical.LeafHash(AuditReader.ToEvent(r))).ToList();
        Assert.Equal(leaves, rows.Select(r => r.LeafHash));
        var expected = NaiveMerkle.Nodes(leaves).Where(p => p.Key.Level > 0).OrderBy(p => p.Key.Level).ThenBy(p => p.Key.Index).ToList();
        var nodes = await store.NodesAsync();
        Assert.Equal(expected.Select(p => (p.Key.Level, p.Key.Index)), nodes.Select(n => (n.Level, n.Index)));
        Assert.Equal(expected.Select(p => p.Value), nodes.Select(n => n.Hash));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task RecordAsync_FiftyConcurrentCallers_GetDistinctConsecutiveSequencesAndTheNaiveRoot(StorageProvider provider)
    {
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        await using var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions { BatchSize = 8 });
        using var start = new ManualResetEventSlim();

        var callers = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await log.RecordAsync(AuditStore.Record(i, actor: $"caller-{i}"));
        })).ToList();
        start.Set();
        var sequences = await Task.WhenAll(callers);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), sequences.Order());
        var rows = await store.EventsAsync();
        Assert.Equal(50, rows.Count);
        for (var i = 0; i < 50; i++)
        {
            // Each caller got the sequence number of its own event.
            Assert.Equal($"caller-{i}", rows[(int)sequences[i]].Actor);
        }

        var leaves = rows.Select(r => AuditCanonical.LeafHash(AuditReader.ToEvent(r))).ToList();
        Assert.Equal(NaiveMerkle.Root(leaves), await new AuditReader(store.Database).GetRootAsync(50));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task WriteFails_EveryCallerInTheBatchGetsAuditUnavailableAndNothingIsStored(StorageProvider provider)
    {
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        await using var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions());
        await log.AppendBatchAsync([.. Enumerable.Range(0, 5).Select(i => AuditStore.Record(i))]);
        var nodesBefore = (await store.NodesAsync()).Count;
        log.BeforeCommit = _ => throw new InvalidOperationException("disk full");

        var failed = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Capture(log.RecordAsync(AuditStore.Record(100 + i)).AsTask())));
        var bulk = await Capture(log.AppendBatchAsync([.. Enumerable.Range(0, 20).Select(i => AuditStore.Record(200 + i))]));

        Assert.All(failed, e => Assert.IsType<AuditUnavailableException>(e));
        Assert.IsType<AuditUnavailableException>(bulk);
        Assert.Equal(5, (await store.EventsAsync()).Count);
        Assert.Equal(nodesBefore, (await store.NodesAsync()).Count);

        // The writer goes on: the next event takes the next free number and the tree is whole.
        log.BeforeCommit = null;
        Assert.Equal(5, await log.RecordAsync(AuditStore.Record(6)));
        var rows = await store.EventsAsync();
        var leaves = rows.Select(r => AuditCanonical.LeafHash(AuditReader.ToEvent(r))).ToList();
        Assert.Equal(NaiveMerkle.Root(leaves), await new AuditReader(store.Database).GetRootAsync(6));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task AppendBatchAsync_InOddSizes_ProofsFromStoredHashesEqualNaiveProofs(StorageProvider provider)
    {
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        await using var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions { BatchSize = 16 });
        var first = new List<long>();
        var next = 0;
        foreach (var size in new[] { 37, 1, 62, 3 })
        {
            first.Add(await log.AppendBatchAsync([.. Enumerable.Range(next, size).Select(i => AuditStore.Record(i))]));
            next += size;
        }

        Assert.Equal([0L, 37, 38, 100], first);
        var rows = await store.EventsAsync();
        var leaves = rows.Select(r => AuditCanonical.LeafHash(AuditReader.ToEvent(r))).ToList();
        Assert.Equal(103 - System.Numerics.BitOperations.PopCount(103u), (await store.NodesAsync()).Count);
        var reader = new AuditReader(store.Database);
        foreach (var n in new[] { 1, 2, 3, 7, 8, 9, 37, 38, 64, 65, 100, 103 })
        {
            Assert.Equal(NaiveMerkle.Root(leaves[..n]), await reader.GetRootAsync(n));
            foreach (var m in new[] { 0, 1, n / 3, n / 2, n - 1 }.Where(m => m < n).Distinct())
            {
                var inclusion = await reader.GetInclusionProofAsync(m, n);
                Assert.NotNull(inclusion);
                Assert.Equal(leaves[m], inclusion.LeafHash);
                Assert.Equal(NaiveMerkle.Path(leaves[..n], m), inclusion.Path);
            }

            foreach (var m in new[] { 1, n / 3, n / 2, n - 1, n }.Where(m => m >= 1 && m <= n).Distinct())
            {
                var consistency = await reader.GetConsistencyProofAsync(m, n);
                Assert.NotNull(consistency);
                Assert.Equal(NaiveMerkle.Proof(leaves[..n], m), consistency.Path);
            }
        }

        Assert.Null(await reader.GetInclusionProofAsync(5, 104));
        Assert.Null(await reader.GetInclusionProofAsync(103, 103));
        Assert.Null(await reader.GetConsistencyProofAsync(5, 104));
        Assert.Null(await reader.GetRootAsync(104));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task TwoNodes_AppendingInTurn_ShareOneConsecutiveLogAndTree(StorageProvider provider)
    {
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        await using var first = new AuditLog(store.Database, TimeProvider.System, new AuditOptions());
        await using var second = new AuditLog(store.Reopen(), TimeProvider.System, new AuditOptions());

        var sequences = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            sequences.Add(await (i % 3 == 0 ? second : first).RecordAsync(AuditStore.Record(i)));
        }

        sequences.AddRange(await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? first : second).RecordAsync(AuditStore.Record(i)).AsTask())));

        Assert.Equal(Enumerable.Range(0, 32).Select(i => (long)i), sequences.Order());
        var leaves = (await store.EventsAsync()).Select(r => AuditCanonical.LeafHash(AuditReader.ToEvent(r))).ToList();
        Assert.Equal(NaiveMerkle.Root(leaves), await new AuditReader(store.Database).GetRootAsync(32));
    }

    [Fact]
    public async Task RecordAsync_AfterRestart_ContinuesTheSameTree()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        await using (var before = new AuditLog(store.Database, TimeProvider.System, new AuditOptions()))
        {
            await before.AppendBatchAsync([.. Enumerable.Range(0, 13).Select(i => AuditStore.Record(i))]);
        }

        await using var after = new AuditLog(store.Reopen(), TimeProvider.System, new AuditOptions());
        Assert.Equal(13, await after.RecordAsync(AuditStore.Record(13)));

        var leaves = (await store.EventsAsync()).Select(r => AuditCanonical.LeafHash(AuditReader.ToEvent(r))).ToList();
        Assert.Equal(NaiveMerkle.Root(leaves), await new AuditReader(store.Database).GetRootAsync(14));
    }

    [Fact]
    public async Task RecordAsync_RecordBreakingALimit_ThrowsArgumentExceptionAndStoresNothing()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        await using var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions { MaxDetails = 2 });

        await Assert.ThrowsAsync<ArgumentException>(() => log.RecordAsync(AuditStore.Record(1) with { Actor = "" }).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => log.RecordAsync(AuditStore.Record(1) with { Target = new string('t', 401) }).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => log.RecordAsync(AuditStore.Record(1) with { Details = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "3" } }).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendBatchAsync([AuditStore.Record(1), AuditStore.Record(2) with { Outcome = "" }]));

        Assert.Empty(await store.EventsAsync());
        Assert.Equal(0, await log.RecordAsync(AuditStore.Record(3)));
    }

    [Fact]
    public async Task RecordAsync_TextWithNulAndLoneSurrogates_IsStoredCleanedAndHashesAsStored()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        await using var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions());

        await log.RecordAsync(AuditStore.Record(1) with { Actor = "a\0b\uD800", Details = new Dictionary<string, string> { ["k\uDC00"] = "v\0" } });

        var row = Assert.Single(await store.EventsAsync());
        Assert.Equal("a\uFFFDb\uFFFD", row.Actor);
        Assert.Equal("{\"k\uFFFD\":\"v\uFFFD\"}", row.Details);
        Assert.Equal(AuditCanonical.LeafHash(AuditReader.ToEvent(row)), row.LeafHash);
    }

    [Fact]
    public async Task RecordAsync_AfterDispose_ThrowsAuditUnavailable()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions());
        var queued = log.RecordAsync(AuditStore.Record(0)).AsTask();
        await log.DisposeAsync();

        Assert.Equal(0, await queued);
        await Assert.ThrowsAsync<AuditUnavailableException>(() => log.RecordAsync(AuditStore.Record(1)).AsTask());
    }

    [Fact]
    public async Task ListAsync_FiltersAndPages_InSequenceOrderWithACursor()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        var clock = new ManualClock(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var log = new AuditLog(store.Database, clock, new AuditOptions());
        for (var i = 0; i < 30; i++)
        {
            await log.RecordAsync(AuditStore.Record(i, actor: i % 2 == 0 ? "alice" : "bob"));
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        var reader = new AuditReader(store.Database);
        var page = await reader.ListAsync(new AuditQuery { Actor = "alice", Limit = 4 });
        Assert.Equal([0L, 2, 4, 6], page.Events.Select(e => e.Sequence));
        Assert.Equal(6, page.Next);
        var rest = await reader.ListAsync(new AuditQuery { Actor = "alice", After = page.Next, Limit = 500 });
        Assert.Equal(11, rest.Events.Count);
        Assert.Null(rest.Next);

        var window = await reader.ListAsync(new AuditQuery
        {
            From = DateTimeOffset.Parse("2026-01-01T00:10:00Z", System.Globalization.CultureInfo.InvariantCulture),
            To = DateTimeOffset.Parse("2026-01-01T00:20:00Z", System.Globalization.CultureInfo.InvariantCulture),
            Action = AuditActions.SignInFailed,
        });
        Assert.Equal([12L, 15, 18], window.Events.Select(e => e.Sequence));
        Assert.Equal("test \"quoted\" é", window.Events[0].Details["why"]);

        // The newest matching events, in sequence order, in one query (what keyward audit tail shows first).
        var latest = await reader.ListAsync(new AuditQuery { Actor = "bob", Limit = 3, Latest = true });
        Assert.Equal([25L, 27, 29], latest.Events.Select(e => e.Sequence));
        Assert.Null(latest.Next);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task AppendBatchAsync_FixedRecordsAtAFixedTime_StoreThePinnedLeafHashesAndRoot(StorageProvider provider)
    {
        // Pinned from an independent computation of the canonical bytes (docs/audit.md) and RFC 6962's tree, so any
        // change to how an append encodes, hashes, binds or stores a record shows here, on both providers.
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000));
        await using var log = new AuditLog(store.Database, clock, new AuditOptions());
        var dirty = new AuditRecord
        {
            Actor = "bob\0nul",
            Action = AuditActions.SignInFailed,
            Outcome = AuditOutcomes.Denied,
            Target = "t\uDC00",
            Details = new Dictionary<string, string> { ["k\uD800"] = "v\0x" },
        };

        await log.AppendBatchAsync([.. Enumerable.Range(0, 6).Select(i => AuditStore.Record(i)), dirty]);

        var rows = await store.EventsAsync();
        Assert.Equal("624b6a4723435066e0e5502b6ea7b02f4846b861e4647ae39201b16c7a41537f", Convert.ToHexStringLower(rows[0].LeafHash));
        Assert.Equal("3e13187177cc46c1ddfbb21781fa05e385ca022702955ec439700e3d42289374", Convert.ToHexStringLower(rows[6].LeafHash));
        Assert.Equal(("bob\uFFFDnul", "t\uFFFD", "{\"k\uFFFD\":\"v\uFFFDx\"}"), (rows[6].Actor, rows[6].Target, rows[6].Details));
        Assert.Equal(rows.Select(r => AuditCanonical.LeafHash(AuditReader.ToEvent(r))), rows.Select(r => r.LeafHash));
        Assert.Equal("771910d8209ecb9acab9f8dae38382f417d70e9d0ce678ba75a3a8d954ee6b90", Convert.ToHexStringLower((await new AuditReader(store.Database).GetRootAsync(7))!));
    }

    [Fact]
    public async Task RecordAsync_Returned_TheWriterKeepsItsConnectionButNotTheSqliteWriteGate()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        await using var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions());
        var gate = ((SqliteDialect)store.Database.Dialect).Gate;

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(i, await log.RecordAsync(AuditStore.Record(i)));

            // Left before the caller hears of the commit, though the connection that entered it stays open.
            Assert.False(gate.IsHeld);
        }

        // Another node's writer on the same file gets through between this one's batches.
        await using var other = new AuditLog(store.Reopen(), TimeProvider.System, new AuditOptions());
        Assert.Equal(3, await other.RecordAsync(AuditStore.Record(3)));
        Assert.Equal(4, await log.RecordAsync(AuditStore.Record(4)));
    }

    // StorageDialect.KeepsWriterConnection: on PostgreSQL a connection kept through an outage would fail the first
    // batch after it (PostgresDownTests), so there it goes back to the pool before the caller hears of the commit.
    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task RecordAsync_Returned_TheWriterKeepsItsConnectionOnSqliteOnly(StorageProvider provider)
    {
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        await using var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions());

        Assert.Equal(0, await log.RecordAsync(AuditStore.Record(0)));
        Assert.Equal(provider == StorageProvider.Sqlite, log.HasWriterConnection);
        Assert.Equal(1, await log.RecordAsync(AuditStore.Record(1)));
        Assert.Equal(provider == StorageProvider.Sqlite, log.HasWriterConnection);
    }

    [Fact]
    public async Task WriteFails_TheWriterDropsItsConnectionBeforeItsCallersHearAndTheNextBatchOpensOne()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        await using var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions());
        await log.RecordAsync(AuditStore.Record(0));
        Assert.True(log.HasWriterConnection);
        log.BeforeCommit = _ => throw new InvalidOperationException("disk full");

        Assert.IsType<AuditUnavailableException>(await Capture(log.RecordAsync(AuditStore.Record(1)).AsTask()));

        Assert.False(log.HasWriterConnection);
        log.BeforeCommit = null;
        Assert.Equal(1, await log.RecordAsync(AuditStore.Record(2)));
        Assert.True(log.HasWriterConnection);
    }

    [Fact]
    public async Task RecordAsync_NoneForTheIdleTime_TheWriterClosesItsConnectionAndTheNextOpensOne()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000));
        await using var log = new AuditLog(store.Database, clock, new AuditOptions());
        await log.RecordAsync(AuditStore.Record(0));

        clock.Advance(KeptConnection.Idle - TimeSpan.FromMilliseconds(1));
        Assert.True(log.HasWriterConnection);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(log.HasWriterConnection);

        Assert.Equal(1, await log.RecordAsync(AuditStore.Record(1)));
        Assert.True(log.HasWriterConnection);
        Assert.Equal(2, (await store.EventsAsync()).Count);
    }

    private static async Task<Exception?> Capture(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
