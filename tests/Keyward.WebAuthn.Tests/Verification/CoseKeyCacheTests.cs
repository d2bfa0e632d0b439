using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// The imported-key cache: a hit returns the key imported before, keys are told apart by their whole encoding
/// (never confused), a key that does not decode is not cached, and the cache never holds more than its capacity.
/// </summary>
public sealed class CoseKeyCacheTests
{
    [Fact]
    public void Get_Miss_DecodesAndCaches()
    {
        var cache = new CoseKeyCache();
        var encoded = NewKey();

        var key = cache.Get(encoded);

        Assert.True(key.Succeeded, key.Failure?.ToString());
        Assert.Equal(encoded, key.Value.Encoded);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Get_SameBytesInAnotherArray_ReturnsTheCachedInstance()
    {
        var cache = new CoseKeyCache();
        var encoded = NewKey();

        var first = cache.Get(encoded).Value;
        var second = cache.Get([.. encoded]).Value;

        Assert.Same(first, second);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Get_DistinctKeys_AreNeverConfused()
    {
        var cache = new CoseKeyCache();
        var a = NewKey();
        var b = NewKey();

        var keyA = cache.Get(a).Value;
        var keyB = cache.Get(b).Value;

        Assert.NotSame(keyA, keyB);
        Assert.Equal(a, cache.Get(a).Value.Encoded);
        Assert.Equal(b, cache.Get(b).Value.Encoded);
        Assert.Same(keyA, cache.Get(a).Value);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Get_SamePrefixDifferentLength_AreDistinct()
    {
        // Two encodings where one is a prefix of the other must not compare equal.
        var cache = new CoseKeyCache();
        var encoded = NewKey();
        var key = cache.Get(encoded).Value;

        var longer = cache.Get([.. encoded, 0x00]);

        Assert.False(longer.Succeeded);
        Assert.Same(key, cache.Get(encoded).Value);
    }

    [Fact]
    public void Get_Undecodable_FailsAndIsNotCached()
    {
        var cache = new CoseKeyCache();

        var result = cache.Get([0xA0]);

        Assert.False(result.Succeeded);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Add_KeyDecodedElsewhere_IsReturnedByGet()
    {
        var cache = new CoseKeyCache();
        var key = CosePublicKey.Decode(NewKey()).Value;

        cache.Add(key);

        Assert.Same(key, cache.Get([.. key.Encoded]).Value);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Add_SameKeyTwice_HoldsItOnce()
    {
        var cache = new CoseKeyCache();
        var key = CosePublicKey.Decode(NewKey()).Value;

        cache.Add(key);
        cache.Add(key);

        Assert.Equal(1, cache.Count);
    }

    [Theory]
    [InlineData(1, 1)]   // a tenth of 1 rounds to 0: one entry is still dropped
    [InlineData(10, 1)]
    [InlineData(20, 2)]
    public void Add_WhenFull_DropsATenthThenAdds(int capacity, int dropped)
    {
        var cache = new CoseKeyCache(capacity);
        for (var i = 0; i < capacity; i++)
        {
            cache.Add(CosePublicKey.Decode(NewKey()).Value);
        }

        Assert.Equal(capacity, cache.Count);
        var newest = CosePublicKey.Decode(NewKey()).Value;

        cache.Add(newest);

        Assert.Equal(capacity - dropped + 1, cache.Count);
        Assert.Same(newest, cache.Get([.. newest.Encoded]).Value);
    }

    [Fact]
    public void Add_BelowCapacity_DropsNothing()
    {
        var cache = new CoseKeyCache(3);
        var keys = Enumerable.Range(0, 3).Select(_ => CosePublicKey.Decode(NewKey()).Value).ToArray();

        foreach (var key in keys)
        {
            cache.Add(key);
        }

        Assert.Equal(3, cache.Count);
        Assert.All(keys, k => Assert.Same(k, cache.Get(k.Encoded).Value));
    }

    [Fact]
    public void Constructor_Capacity_IsKeptAndDefaultsTo10000()
    {
        Assert.Equal(10_000, new CoseKeyCache().Capacity);
        Assert.Equal(1, new CoseKeyCache(1).Capacity);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_CapacityBelow1_Throws(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CoseKeyCache(capacity));

    [Fact]
    public void GetAndAdd_Null_Throw()
    {
        var cache = new CoseKeyCache();

        Assert.Throws<ArgumentNullException>(() => cache.Get(null!));
        Assert.Throws<ArgumentNullException>(() => cache.Add(null!));
    }

    private static byte[] NewKey()
    {
        using var b = new ResponseBuilder();
        return b.CoseKey();
    }
}
