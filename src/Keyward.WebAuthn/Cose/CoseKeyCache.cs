using System.Collections.Concurrent;

namespace Keyward.WebAuthn.Cose;

/// <summary>
/// Imported credential public keys by their COSE bytes. Importing costs about three verifications, so the
/// assertion hot path looks keys up here. Bounded: when full, an arbitrary tenth of the entries is dropped
/// (they are re-imported on next use), which keeps the cost of eviction off every lookup.
/// </summary>
public sealed class CoseKeyCache
{
    private readonly ConcurrentDictionary<byte[], CosePublicKey> _keys = new(ByteArrayComparer.Instance);

    /// <summary>Creates a cache holding at most <paramref name="capacity"/> keys.</summary>
    public CoseKeyCache(int capacity = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most keys held.</summary>
    public int Capacity { get; }

    /// <summary>How many keys are held now.</summary>
    public int Count => _keys.Count;

    /// <summary>Returns the imported key for <paramref name="encoded"/>, decoding and importing it on first use.</summary>
    public WebAuthnResult<CosePublicKey> Get(byte[] encoded)
    {
        // Stryker disable once Statement : equivalent, ConcurrentDictionary refuses a null key with the same ArgumentNullException
        ArgumentNullException.ThrowIfNull(encoded);
        if (_keys.TryGetValue(encoded, out var key))
        {
            return WebAuthnResult<CosePublicKey>.Ok(key);
        }

        var decoded = CosePublicKey.Decode(encoded);
        if (decoded.Succeeded)
        {
            Add(decoded.Value);
        }

        return decoded;
    }

    /// <summary>Adds a key decoded elsewhere (at registration).</summary>
    public void Add(CosePublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_keys.Count >= Capacity)
        {
            var drop = Math.Max(1, Capacity / 10);
            foreach (var stale in _keys.Keys.Take(drop))
            {
                _keys.TryRemove(stale, out _);
            }
        }

        _keys.TryAdd(key.Encoded, key);
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            // Stryker disable once Statement : equivalent, a constant hash only makes lookups slower; Equals decides
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
