using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Testing;

namespace Keyward.Core.Tests.Audit;

/// <summary>
/// The revocation spool: durable owner-only records, a torn tail cut off on open, a size bound, and a drain that
/// appends in order with the original times, exactly once across a crash between the append and the cut.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class AuditSpoolTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Drain_SpooledEvents_AppendsThemInOrderWithOriginalTimesAndEmptiesTheSpool(StorageProvider provider)
    {
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        var clock = new ManualClock(Start);
        using var spool = new AuditSpool(SpoolPath(store), new AuditOptions(), clock);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await spool.AppendAsync(Revocation(i)));
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(spool.FilePath));
        }

        await using var log = new AuditLog(store.Database, clock, new AuditOptions());
        await log.RecordAsync(AuditStore.Record(100));

        Assert.Equal(3, await spool.DrainAsync(log, store.Database));

        Assert.True(spool.IsEmpty);
        Assert.Equal(0, new FileInfo(spool.FilePath).Length);
        var events = await store.EventsAsync();
        Assert.Equal(4, events.Count);
        var drained = events.Skip(1).Select(e => AuditReader.ToEvent(e)).ToList();
        Assert.Equal(["session/0", "session/1", "session/2"], drained.Select(e => e.Target));
        Assert.Equal([Start, Start.AddSeconds(10), Start.AddSeconds(20)], drained.Select(e => e.Timestamp));
        Assert.All(drained, e => Assert.Equal("true", e.Details["spooled"]));
        Assert.Equal(3, drained.Select(e => e.Details["spool_id"]).Distinct().Count());
        Assert.All(drained, e => Assert.Equal("logout", e.Details["reason"]));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Drain_AfterACrashBetweenAppendAndCut_AppendsEachEventOnce(StorageProvider provider)
    {
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        var clock = new ManualClock(Start);
        var path = SpoolPath(store);
        using (var spool = new AuditSpool(path, new AuditOptions(), clock))
        {
            await spool.AppendAsync(Revocation(0));
            await spool.AppendAsync(Revocation(1));
        }

        // The drain's append commits, then the process dies before the spool is cut: the file still holds both events.
        var beforeCut = await File.ReadAllBytesAsync(path);
        await using var log = new AuditLog(store.Database, clock, new AuditOptions());
        using (var spool = new AuditSpool(path, new AuditOptions(), clock))
        {
            Assert.Equal(2, await spool.DrainAsync(log, store.Database));
        }

        await File.WriteAllBytesAsync(path, beforeCut);
        using (var spool = new AuditSpool(path, new AuditOptions(), clock))
        {
            await spool.AppendAsync(Revocation(2));
            Assert.Equal(1, await spool.DrainAsync(log, store.Database));
            Assert.True(spool.IsEmpty);
        }

        var targets = (await store.EventsAsync()).Select(e => e.Target).ToList();
        Assert.Equal(["session/0", "session/1", "session/2"], targets);
    }

    [Fact]
    public async Task Open_TornLastRecord_IsCutOffAndLaterRecordsAreKept()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        var clock = new ManualClock(Start);
        var path = SpoolPath(store);
        long whole;
        using (var spool = new AuditSpool(path, new AuditOptions(), clock))
        {
            await spool.AppendAsync(Revocation(0));
            await spool.AppendAsync(Revocation(1));
            whole = spool.Length;
            await spool.AppendAsync(Revocation(2));
        }

        // A crash in the middle of writing the third record: only part of its frame reached the disk.
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(whole + ((file.Length - whole) / 2));
        }

        using (var spool = new AuditSpool(path, new AuditOptions(), clock))
        {
            Assert.Equal(whole, spool.Length);
            Assert.Equal(whole, new FileInfo(path).Length);
            await spool.AppendAsync(Revocation(3));
            await using var log = new AuditLog(store.Database, clock, new AuditOptions());
            Assert.Equal(3, await spool.DrainAsync(log, store.Database));
        }

        Assert.Equal(["session/0", "session/1", "session/3"], (await store.EventsAsync()).Select(e => e.Target));
    }

    [Fact]
    public async Task Open_DamagedRecord_IsCutOffWithWhatFollows()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        var clock = new ManualClock(Start);
        var path = SpoolPath(store);
        long first;
        using (var spool = new AuditSpool(path, new AuditOptions(), clock))
        {
            await spool.AppendAsync(Revocation(0));
            first = spool.Length;
            await spool.AppendAsync(Revocation(1));
        }

        // One flipped bit inside the second record's payload: its checksum no longer matches.
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[first + 20] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        using var reopened = new AuditSpool(path, new AuditOptions(), clock);
        Assert.Equal(first, reopened.Length);
    }

    [Fact]
    public async Task Append_SpoolFull_DropsTheEventAndKeepsTheBound()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        var options = new AuditOptions { SpoolMaxBytes = 64 * 1024 };
        using var spool = new AuditSpool(SpoolPath(store), options, new ManualClock(Start));
        var big = Revocation(0) with { Details = new Dictionary<string, string> { ["pad"] = new string('p', 1000) } };

        var stored = 0;
        while (stored < 200 && await spool.AppendAsync(big))
        {
            stored++;
        }

        Assert.InRange(stored, 40, 70);
        Assert.False(await spool.AppendAsync(big));
        Assert.True(spool.Length <= options.SpoolMaxBytes);
        Assert.Equal(spool.Length, new FileInfo(spool.FilePath).Length);
    }

    [Fact]
    public async Task Drain_LogUnavailable_ThrowsAndKeepsTheSpool()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        using var spool = new AuditSpool(SpoolPath(store), new AuditOptions(), new ManualClock(Start));
        await spool.AppendAsync(Revocation(0));
        var length = spool.Length;

        await Assert.ThrowsAsync<AuditUnavailableException>(() => spool.DrainAsync(new DownLog(), store.Database));

        Assert.Equal(length, spool.Length);
        Assert.Equal(length, new FileInfo(spool.FilePath).Length);
    }

    private static string SpoolPath(AuditStore store) => Path.Combine(store.Folder, "revocations.spool");

    private static AuditRecord Revocation(int i) => new()
    {
        Actor = "alice",
        Action = AuditActions.SessionEnded,
        Outcome = AuditOutcomes.Success,
        Target = $"session/{i}",
        ClientAddress = "192.0.2.1",
        Details = new Dictionary<string, string> { ["reason"] = "logout" },
    };

    private sealed class DownLog : IAuditLog
    {
        public ValueTask<long> RecordAsync(AuditRecord record, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<long>(new AuditUnavailableException("test: the audit log is down"));

        public ValueTask<long> RecordAllAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<long>(new AuditUnavailableException("test: the audit log is down"));
    }
}
