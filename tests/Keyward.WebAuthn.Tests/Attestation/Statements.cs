using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn.Tests.Attestation;

/// <summary>Builds and edits attStmt maps for negative tests.</summary>
internal static class Statements
{
    public static CborValue Map(params (string Key, CborValue Value)[] entries) =>
        CborValue.FromMap([.. entries.Select(e => new KeyValuePair<CborValue, CborValue>(CborValue.FromText(e.Key), e.Value))]);

    public static CborValue Bytes(byte[] value) => CborValue.FromBytes(value);

    public static CborValue Integer(long value) => CborValue.FromInteger(value);

    public static CborValue Text(string value) => CborValue.FromText(value);

    public static CborValue X5c(params byte[][] certificates) => CborValue.FromArray([.. certificates.Select(CborValue.FromBytes)]);

    /// <summary>The map with <paramref name="key"/> set to <paramref name="value"/> (replaced in place, or appended).</summary>
    public static CborValue With(this CborValue map, string key, CborValue value)
    {
        var entries = map.Entries.ToList();
        var index = entries.FindIndex(e => e.Key.Kind == CborKind.TextString && e.Key.Text == key);
        var entry = new KeyValuePair<CborValue, CborValue>(CborValue.FromText(key), value);
        if (index >= 0)
        {
            entries[index] = entry;
        }
        else
        {
            entries.Add(entry);
        }

        return CborValue.FromMap([.. entries]);
    }

    public static CborValue Without(this CborValue map, string key) =>
        CborValue.FromMap([.. map.Entries.Where(e => !(e.Key.Kind == CborKind.TextString && e.Key.Text == key))]);

    /// <summary>The map with one byte of a byte-string value flipped.</summary>
    public static CborValue WithFlippedByte(this CborValue map, string key, int index = -1)
    {
        Assert.True(map.TryGetBytes(key, out var bytes));
        return map.With(key, CborValue.FromBytes(Flip(bytes, index)));
    }

    /// <summary>A copy with one byte flipped (the last one by default).</summary>
    public static byte[] Flip(byte[] bytes, int index = -1)
    {
        var copy = (byte[])bytes.Clone();
        copy[index < 0 ? copy.Length + index : index] ^= 0x01;
        return copy;
    }
}
