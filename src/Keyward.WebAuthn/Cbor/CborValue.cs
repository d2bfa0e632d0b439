namespace Keyward.WebAuthn.Cbor;

/// <summary>
/// A decoded CBOR data item: a small immutable tree, enough for attestation statements, COSE keys
/// and extension outputs. Produced only by <see cref="CborDecoder"/>, which enforces the limits.
/// </summary>
internal sealed class CborValue
{
    private static readonly CborValue[] NoItems = [];
    private static readonly KeyValuePair<CborValue, CborValue>[] NoEntries = [];

    private CborValue(CborKind kind) => Kind = kind;

    public CborKind Kind { get; }

    public long Integer { get; private init; }

    public double Float { get; private init; }

    public bool Boolean { get; private init; }

    public byte[] Bytes { get; private init; } = [];

    public string Text { get; private init; } = string.Empty;

    public IReadOnlyList<CborValue> Items { get; private init; } = NoItems;

    public IReadOnlyList<KeyValuePair<CborValue, CborValue>> Entries { get; private init; } = NoEntries;

    public static CborValue FromInteger(long value) => new(CborKind.Integer) { Integer = value };

    public static CborValue FromBytes(byte[] value) => new(CborKind.ByteString) { Bytes = value };

    public static CborValue FromText(string value) => new(CborKind.TextString) { Text = value };

    public static CborValue FromBoolean(bool value) => new(CborKind.Boolean) { Boolean = value };

    public static CborValue FromFloat(double value) => new(CborKind.Float) { Float = value };

    public static CborValue FromArray(CborValue[] items) => new(CborKind.Array) { Items = items };

    public static CborValue FromMap(KeyValuePair<CborValue, CborValue>[] entries) => new(CborKind.Map) { Entries = entries };

    public static CborValue Null { get; } = new(CborKind.Null);

    public static CborValue Undefined { get; } = new(CborKind.Undefined);

    /// <summary>Looks up a text key in a map.</summary>
    public bool TryGet(string key, out CborValue value)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key.Kind == CborKind.TextString && string.Equals(entry.Key.Text, key, StringComparison.Ordinal))
            {
                value = entry.Value;
                return true;
            }
        }

        value = Null;
        return false;
    }

    /// <summary>Looks up an integer key in a map (COSE labels).</summary>
    public bool TryGet(long key, out CborValue value)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key.Kind == CborKind.Integer && entry.Key.Integer == key)
            {
                value = entry.Value;
                return true;
            }
        }

        value = Null;
        return false;
    }

    /// <summary>A text key's value if it is a byte string.</summary>
    public bool TryGetBytes(string key, out byte[] bytes)
    {
        bytes = [];
        if (TryGet(key, out var v) && v.Kind == CborKind.ByteString)
        {
            bytes = v.Bytes;
            return true;
        }

        return false;
    }

    /// <summary>An integer key's value if it is a byte string.</summary>
    public bool TryGetBytes(long key, out byte[] bytes)
    {
        bytes = [];
        if (TryGet(key, out var v) && v.Kind == CborKind.ByteString)
        {
            bytes = v.Bytes;
            return true;
        }

        return false;
    }

    /// <summary>A text key's value if it is an integer.</summary>
    public bool TryGetInteger(string key, out long integer)
    {
        integer = 0;
        if (TryGet(key, out var v) && v.Kind == CborKind.Integer)
        {
            integer = v.Integer;
            return true;
        }

        return false;
    }

    /// <summary>An integer key's value if it is an integer.</summary>
    public bool TryGetInteger(long key, out long integer)
    {
        integer = 0;
        if (TryGet(key, out var v) && v.Kind == CborKind.Integer)
        {
            integer = v.Integer;
            return true;
        }

        return false;
    }

    /// <summary>A text key's value if it is a text string.</summary>
    public bool TryGetText(string key, out string text)
    {
        text = string.Empty;
        if (TryGet(key, out var v) && v.Kind == CborKind.TextString)
        {
            text = v.Text;
            return true;
        }

        return false;
    }

    // Stryker disable once all : text for debugging (nothing reads it), not behaviour
    public override string ToString() => Kind switch
    {
        CborKind.Integer => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        CborKind.TextString => $"\"{Text}\"",
        CborKind.ByteString => $"h'{Bytes.Length} bytes'",
        CborKind.Array => $"[{Items.Count} items]",
        CborKind.Map => $"{{{Entries.Count} entries}}",
        _ => Kind.ToString(),
    };
}
