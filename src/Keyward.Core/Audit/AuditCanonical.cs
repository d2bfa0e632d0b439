using System.Buffers;
using System.Globalization;
using System.Text;

namespace Keyward.Core.Audit;

/// <summary>
/// The canonical bytes of an audit event, which its leaf hash covers: the RFC 8785 (JSON Canonicalization Scheme)
/// serialization of
/// <c>{"action","actor","client","details":{…},"outcome","sequence","target","tenant","time"}</c>: members sorted by
/// UTF-16 code units, no whitespace, strings escaped only where JSON requires it (<c>\"</c>, <c>\\</c>, <c>\b \f \n
/// \r \t</c>, other controls as lowercase <c>\u00xx</c>), everything else as raw UTF-8, integers in plain decimal.
/// <c>target</c> and <c>client</c> are <c>null</c> when absent. docs/audit.md shows how to recompute it elsewhere.
/// </summary>
public static class AuditCanonical
{
    private static readonly byte[] Hex = "0123456789abcdef"u8.ToArray();

    /// <summary>The canonical bytes of an event.</summary>
    public static byte[] Encode(AuditEvent auditEvent)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, auditEvent);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The leaf hash of an event: SHA-256(0x00 ‖ canonical bytes).</summary>
    public static byte[] LeafHash(AuditEvent auditEvent)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, auditEvent);
        return MerkleTree.HashLeaf(buffer.WrittenSpan);
    }

    /// <summary>The canonical JSON of a details object (as stored in <c>audit_events.Details</c>).</summary>
    public static string DetailsJson(IReadOnlyDictionary<string, string> details)
    {
        // Encoded in a buffer kept per thread, then decoded once: no buffer and no byte copy per record (issue 15). The
        // string's UTF-8 is the canonical bytes again, since they are valid UTF-8 (every string is sanitized first).
        var buffer = _threadDetails ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        WriteDetails(buffer, details);
        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > 16 * 1024)
        {
            _threadDetails = null;
        }

        return json;
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadDetails;

    /// <summary>Writes the canonical bytes of an event.</summary>
    internal static void Write(IBufferWriter<byte> output, AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var details = new ArrayBufferWriter<byte>(64);
        WriteDetails(details, e.Details);
        Write(output, e.Sequence, e.Time, e.TenantId, e.Actor, e.Action, e.Target, e.Outcome, e.ClientAddress, details.WrittenSpan);
    }

    /// <summary>Writes the canonical bytes of an event whose details are already in canonical form.</summary>
    internal static void Write(
        IBufferWriter<byte> output, long sequence, long time, string tenant, string actor, string action, string? target,
        string outcome, string? client, ReadOnlySpan<byte> canonicalDetails)
    {
        WriteRaw(output, "{\"action\":"u8);
        WriteString(output, action);
        WriteRaw(output, ",\"actor\":"u8);
        WriteString(output, actor);
        WriteRaw(output, ",\"client\":"u8);
        WriteString(output, client);
        WriteRaw(output, ",\"details\":"u8);
        WriteRaw(output, canonicalDetails);
        WriteRaw(output, ",\"outcome\":"u8);
        WriteString(output, outcome);
        WriteRaw(output, ",\"sequence\":"u8);
        WriteInteger(output, sequence);
        WriteRaw(output, ",\"target\":"u8);
        WriteString(output, target);
        WriteRaw(output, ",\"tenant\":"u8);
        WriteString(output, tenant);
        WriteRaw(output, ",\"time\":"u8);
        WriteInteger(output, time);
        WriteRaw(output, "}"u8);
    }

    /// <summary>
    /// Replaces unpaired UTF-16 surrogates and NUL with U+FFFD, so every string has one UTF-8 form and every database
    /// stores it (PostgreSQL text refuses NUL).
    /// </summary>
    internal static string Sanitize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        char[]? chars = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (c == '\0' || char.IsSurrogate(c))
            {
                chars ??= value.ToCharArray();
                chars[i] = '\uFFFD';
            }
        }

        return chars is null ? value : new string(chars);
    }

    private static void WriteDetails(IBufferWriter<byte> output, IReadOnlyDictionary<string, string> details)
    {
        ArgumentNullException.ThrowIfNull(details);
        WriteRaw(output, "{"u8);
        var first = true;

        // RFC 8785 §3.2.3: members sorted by their names as arrays of UTF-16 code units. The keys are gathered in a
        // pooled array without boxing an enumerator, and the usual few sorted in place (issue 15: no array, comparer
        // delegate or enumerator per record); the order is the same ordinal order either way (keys are distinct).
        var keys = ArrayPool<string>.Shared.Rent(details.Count);
        var n = 0;
        try
        {
            if (details is Dictionary<string, string> dictionary)
            {
                foreach (var pair in dictionary)
                {
                    keys[n++] = pair.Key;
                }
            }
            else
            {
                foreach (var key in details.Keys)
                {
                    keys[n++] = key;
                }
            }

            SortOrdinal(keys.AsSpan(0, n));
            foreach (var key in keys.AsSpan(0, n))
            {
                if (!first)
                {
                    WriteRaw(output, ","u8);
                }

                first = false;
                WriteString(output, key);
                WriteRaw(output, ":"u8);
                WriteString(output, details[key]);
            }
        }
        finally
        {
            keys.AsSpan(0, n).Clear();
            ArrayPool<string>.Shared.Return(keys);
        }

        WriteRaw(output, "}"u8);
    }

    /// <summary>Sorts by <see cref="string.CompareOrdinal(string, string)"/>: by insertion for a few keys, else by <see cref="MemoryExtensions.Sort{T}(Span{T}, Comparison{T})"/>.</summary>
    private static void SortOrdinal(Span<string> keys)
    {
        if (keys.Length > 16)
        {
            keys.Sort(string.CompareOrdinal);
            return;
        }

        for (var i = 1; i < keys.Length; i++)
        {
            var key = keys[i];
            var j = i - 1;
            while (j >= 0 && string.CompareOrdinal(keys[j], key) > 0)
            {
                keys[j + 1] = keys[j];
                j--;
            }

            keys[j + 1] = key;
        }
    }

    private static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static void WriteInteger(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        if (!value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A 64-bit integer did not fit in 20 bytes.");
        }

        output.Advance(written);
    }

    // RFC 8785 §3.2.2.2: the ECMAScript JSON.stringify rules for strings.
    private static void WriteString(IBufferWriter<byte> output, string? value)
    {
        if (value is null)
        {
            WriteRaw(output, "null"u8);
            return;
        }

        WriteRaw(output, "\""u8);
        var chars = value.AsSpan();
        var run = 0;
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (c >= 0x20 && c != '"' && c != '\\')
            {
                continue;
            }

            WriteUtf8(output, chars[run..i]);
            run = i + 1;
            switch (c)
            {
                case '"': WriteRaw(output, "\\\""u8); break;
                case '\\': WriteRaw(output, "\\\\"u8); break;
                case '\b': WriteRaw(output, "\\b"u8); break;
                case '\f': WriteRaw(output, "\\f"u8); break;
                case '\n': WriteRaw(output, "\\n"u8); break;
                case '\r': WriteRaw(output, "\\r"u8); break;
                case '\t': WriteRaw(output, "\\t"u8); break;
                default:
                    var span = output.GetSpan(6);
                    "\\u00"u8.CopyTo(span);
                    span[4] = Hex[c >> 4];
                    span[5] = Hex[c & 0xF];
                    output.Advance(6);
                    break;
            }
        }

        WriteUtf8(output, chars[run..]);
        WriteRaw(output, "\""u8);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
        {
            return;
        }

        // Unpaired surrogates become U+FFFD (EF BF BD), as Sanitize does before anything is stored.
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(chars.Length));
        output.Advance(Encoding.UTF8.GetBytes(chars, span));
    }
}
