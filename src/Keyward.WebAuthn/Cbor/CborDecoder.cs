using System.Formats.Cbor;

namespace Keyward.WebAuthn.Cbor;

/// <summary>
/// Strict, bounded CBOR decoding on top of System.Formats.Cbor. Strict conformance (RFC 8949 §5.2:
/// well-formed, valid UTF-8, no duplicate map keys), bounded depth and item count, no tags, no
/// trailing bytes unless the caller decodes a prefix, and no indefinite lengths where <see cref="CborLimits.AllowIndefiniteLength"/>
/// is false (authenticator output). Every malformed input is a <see cref="WebAuthnErrorCode.MalformedCbor"/>
/// failure, never an exception.
/// </summary>
internal static class CborDecoder
{
    /// <summary>Decodes exactly one data item that spans all of <paramref name="data"/>.</summary>
    public static WebAuthnResult<CborValue> Decode(ReadOnlyMemory<byte> data, CborLimits limits)
    {
        var result = DecodePrefix(data, limits, out var consumed);
        if (result.Succeeded && consumed != data.Length)
        {
            return WebAuthnResult<CborValue>.Fail(WebAuthnErrorCode.MalformedCbor, $"{data.Length - consumed} trailing bytes after the CBOR item");
        }

        return result;
    }

    /// <summary>Decodes one data item at the start of <paramref name="data"/> and reports how many bytes it used.</summary>
    public static WebAuthnResult<CborValue> DecodePrefix(ReadOnlyMemory<byte> data, CborLimits limits, out int consumed)
    {
        consumed = 0;
        if (data.IsEmpty)
        {
            return WebAuthnResult<CborValue>.Fail(WebAuthnErrorCode.MalformedCbor, "empty input");
        }

        var reader = new CborReader(data, CborConformanceMode.Strict, allowMultipleRootLevelValues: true);
        var budget = limits.MaxItems;
        try
        {
            var value = Read(reader, limits, limits.MaxDepth, ref budget);
            if (value is null)
            {
                return WebAuthnResult<CborValue>.Fail(WebAuthnErrorCode.MalformedCbor, budget < 0 ? "too many items" : "nested too deeply or uses an unsupported item (tag or simple value)");
            }

            consumed = data.Length - reader.BytesRemaining;
            return WebAuthnResult<CborValue>.Ok(value);
        }
        catch (IndefiniteLengthRefusedException)
        {
            return WebAuthnResult<CborValue>.Fail(WebAuthnErrorCode.MalformedCbor, "an indefinite-length item where CTAP2 canonical CBOR (definite lengths only) is required");
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException)
        {
            // The exception text may quote input; it is not passed on.
            return WebAuthnResult<CborValue>.Fail(WebAuthnErrorCode.MalformedCbor, "not well-formed or not strictly conformant");
        }
    }

    private static CborValue? Read(CborReader reader, CborLimits limits, int depthLeft, ref int budget)
    {
        if (--budget < 0)
        {
            return null;
        }

        var state = reader.PeekState();
        if (!limits.AllowIndefiniteLength && state is CborReaderState.StartIndefiniteLengthByteString or CborReaderState.StartIndefiniteLengthTextString)
        {
            throw new IndefiniteLengthRefusedException();
        }

        switch (state)
        {
            case CborReaderState.UnsignedInteger:
                var u = reader.ReadUInt64();
                return u > long.MaxValue ? throw new OverflowException() : CborValue.FromInteger((long)u);
            case CborReaderState.NegativeInteger:
                return CborValue.FromInteger(reader.ReadInt64());
            case CborReaderState.ByteString:
            case CborReaderState.StartIndefiniteLengthByteString:
                return CborValue.FromBytes(reader.ReadByteString());
            case CborReaderState.TextString:
            case CborReaderState.StartIndefiniteLengthTextString:
                return CborValue.FromText(reader.ReadTextString());
            case CborReaderState.Boolean:
                return CborValue.FromBoolean(reader.ReadBoolean());
            case CborReaderState.Null:
                reader.ReadNull();
                return CborValue.Null;
            case CborReaderState.HalfPrecisionFloat:
            case CborReaderState.SinglePrecisionFloat:
            case CborReaderState.DoublePrecisionFloat:
                return CborValue.FromFloat(reader.ReadDouble());
            case CborReaderState.StartArray:
                return depthLeft <= 0 ? null : ReadArray(reader, limits, depthLeft - 1, ref budget);
            case CborReaderState.StartMap:
                return depthLeft <= 0 ? null : ReadMap(reader, limits, depthLeft - 1, ref budget);
            case CborReaderState.SimpleValue:
                if (reader.ReadSimpleValue() == CborSimpleValue.Undefined)
                {
                    return CborValue.Undefined;
                }

                return null;
            default:
                // Tags and anything else WebAuthn never uses.
                return null;
        }
    }

    private static CborValue? ReadArray(CborReader reader, CborLimits limits, int depthLeft, ref int budget)
    {
        var declared = reader.ReadStartArray() ?? RefuseIndefinite(limits);
        if (declared > budget)
        {
            budget = -1;
            return null;
        }

        // Stryker disable once NullCoalescing : equivalent, the initial capacity only
        var items = new List<CborValue>(declared ?? 4);
        while (reader.PeekState() != CborReaderState.EndArray)
        {
            var item = Read(reader, limits, depthLeft, ref budget);
            if (item is null)
            {
                return null;
            }

            items.Add(item);
        }

        reader.ReadEndArray();
        return CborValue.FromArray([.. items]);
    }

    private static CborValue? ReadMap(CborReader reader, CborLimits limits, int depthLeft, ref int budget)
    {
        var declared = reader.ReadStartMap() ?? RefuseIndefinite(limits);
        if (declared * 2 > budget)
        {
            budget = -1;
            return null;
        }

        var entries = new List<KeyValuePair<CborValue, CborValue>>(declared ?? 4);
        while (reader.PeekState() != CborReaderState.EndMap)
        {
            var key = Read(reader, limits, depthLeft, ref budget);
            // Stryker disable once Block : equivalent, a null Read consumes nothing, so the next Read is null again and the map is refused the same way
            if (key is null)
            {
                return null;
            }

            var value = Read(reader, limits, depthLeft, ref budget);
            // Stryker disable once Block : equivalent, see the key above
            if (value is null)
            {
                return null;
            }

            entries.Add(new(key, value));
        }

        reader.ReadEndMap();
        return CborValue.FromMap([.. entries]);
    }

    // CborReader reports an indefinite array or map as a null length.
    private static int? RefuseIndefinite(CborLimits limits) =>
        limits.AllowIndefiniteLength ? null : throw new IndefiniteLengthRefusedException();

    private sealed class IndefiniteLengthRefusedException : Exception;
}
