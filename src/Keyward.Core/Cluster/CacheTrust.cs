namespace Keyward.Core.Cluster;

/// <summary>
/// Whether this node may answer from its credential caches. On PostgreSQL a node hears other nodes' revocations only
/// through its listener connection; while that is down (not yet connected, lost, reconnecting) a cached entry may be
/// stale, so no cache hit is honoured and every check reads the database (fail closed, never stale). Every change
/// moves <see cref="Generation"/> on: an entry filled under an earlier generation is never honoured, so a database
/// read that began before the listener came back cannot refill the cache with what it missed. On SQLite (one node)
/// it is trusted from the start and never changes.
/// </summary>
public sealed class CacheTrust
{
    private long _generation;
    private volatile bool _trusted;

    /// <summary>Creates the trust; <paramref name="trusted"/> false until a listener calls <see cref="Resume"/>.</summary>
    public CacheTrust(bool trusted) => _trusted = trusted;

    /// <summary>Raised after <see cref="Resume"/> moved the generation on and before it trusts again: drop cached entries.</summary>
    public event Action? Resuming;

    /// <summary>A trust that is always on: one node, or a service built without a cluster (tests, tools).</summary>
    public static CacheTrust Always { get; } = new(trusted: true);

    /// <summary>True while cache hits may be honoured.</summary>
    public bool IsTrusted => _trusted;

    /// <summary>The current generation; entries carry the one they were filled under.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>True when an entry filled under <paramref name="generation"/> may be honoured now.</summary>
    public bool Honours(long generation) => _trusted && generation == Interlocked.Read(ref _generation);

    /// <summary>Stops trusting the caches (the listener is down): from now on every check reads the database.</summary>
    public void Suspend()
    {
        _trusted = false;
        Interlocked.Increment(ref _generation);
    }

    /// <summary>
    /// Trusts the caches again, once the listener hears every revocation from now on: everything cached before is
    /// dropped (it may have missed a revocation while the listener was down), then hits are honoured again.
    /// </summary>
    public void Resume()
    {
        Interlocked.Increment(ref _generation);
        Resuming?.Invoke();
        _trusted = true;
    }
}
