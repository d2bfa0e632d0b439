using BenchmarkDotNet.Attributes;
using Keyward.Core.Audit;
using Keyward.Core.Storage;

namespace Keyward.Benchmarks;

/// <summary>
/// Inclusion and consistency proofs from the stored hashes of a 1,000,000-event SQLite log (built once with
/// AppendBatchAsync and cached in the temporary directory). Each proof is two queries: the log's size and the O(log n)
/// nodes. Target: under 1 ms each.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class AuditProofBenchmarks
{
    private const int Events = 1_000_000;
    private AuditReader _reader = null!;
    private long _i;

    [GlobalSetup]
    public void Setup()
    {
        var (database, built) = AuditStores.Cached(Events);
        if (built is { } time)
        {
            Console.WriteLine($"// Built the {Events:N0}-event audit store in {time.TotalSeconds:0.0} s ({Events / time.TotalSeconds:N0} appends/s).");
        }

        _reader = new AuditReader(database);
        if (_reader.GetSizeAsync().GetAwaiter().GetResult() != Events)
        {
            throw new InvalidOperationException("The cached audit store is not the expected size; delete it and run again.");
        }
    }

    /// <summary>The audit path of a pseudo-random event in the full tree.</summary>
    [Benchmark]
    public Task<AuditInclusionProof?> InclusionProof() => _reader.GetInclusionProofAsync(Next(Events), Events);

    /// <summary>The consistency proof from a pseudo-random earlier size to the full tree.</summary>
    [Benchmark]
    public Task<AuditConsistencyProof?> ConsistencyProof() => _reader.GetConsistencyProofAsync(1 + Next(Events - 1), Events);

    /// <summary>The root of a pseudo-random tree size (what signing a head reads).</summary>
    [Benchmark]
    public Task<byte[]?> Root() => _reader.GetRootAsync(1 + Next(Events - 1));

    private long Next(long bound) => (++_i * 7_919_993L) % bound;
}
