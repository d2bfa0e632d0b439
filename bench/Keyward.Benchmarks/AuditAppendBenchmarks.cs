using BenchmarkDotNet.Attributes;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Keyward.Benchmarks;

/// <summary>
/// Audit appends on SQLite (a file in the temporary directory, WAL, synchronous=FULL: every commit is durable). Read
/// the per-operation mean as one append: appends/s = 1 s / mean. Single: one caller waits for each event's commit.
/// Concurrent: 1,000 callers at once share the writer's batches. Batched: AppendBatchAsync of 1,000 records.
/// Target: ≥ 50,000 appends/s batched.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 8)]
public class AuditAppendBenchmarks
{
    private const int Many = 1_000;
    private KeywardDatabase _database = null!;
    private string _folder = null!;
    private AuditLog _log = null!;
    private AuditRecord[] _records = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_database, _folder) = AuditStores.Fresh();
        _log = new AuditLog(_database, TimeProvider.System, new AuditOptions { BatchSize = Many });
        _records = [.. Enumerable.Range(0, Many).Select(AuditStores.Record)];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>One event, one transaction, one caller waiting for it.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<long> Single() => _log.RecordAsync(_records[0]);

    /// <summary>1,000 callers recording at once; the writer commits them in shared batches.</summary>
    [Benchmark(OperationsPerInvoke = Many)]
    public Task Concurrent()
    {
        var tasks = new Task[Many];
        for (var i = 0; i < Many; i++)
        {
            tasks[i] = _log.RecordAsync(_records[i]).AsTask();
        }

        return Task.WhenAll(tasks);
    }

    /// <summary>1,000 records in one AppendBatchAsync (one transaction).</summary>
    [Benchmark(OperationsPerInvoke = Many)]
    public Task<long> Batched() => _log.AppendBatchAsync(_records);
}
