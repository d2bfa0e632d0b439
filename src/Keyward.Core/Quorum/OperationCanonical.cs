using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Keyward.Core.Quorum;

/// <summary>
/// The canonical encodings an approval signs over (docs/approvals.md, "Canonical encoding"). Every field is
/// length-prefixed (u32 big-endian byte count, then the bytes; strings in UTF-8), so no two different inputs encode to
/// the same bytes, and each encoding starts with its own domain tag so one can never pass for another.
/// <list type="bullet">
/// <item>parameters = lp("keyward.approval.parameters.v1") ‖ u32 count ‖ (lp(key) ‖ lp(value))* in ordinal key order</item>
/// <item>operation = lp("keyward.approval.operation.v1") ‖ lp(kind name) ‖ lp(target) ‖ lp(SHA-256(parameters))</item>
/// <item>challenge = SHA-256(lp(operation) ‖ u64 big-endian operator nonce ‖ lp(instance id))</item>
/// </list>
/// </summary>
public static class OperationCanonical
{
    /// <summary>The domain tag of the parameters encoding.</summary>
    public const string ParametersTag = "keyward.approval.parameters.v1";

    /// <summary>The domain tag of the operation encoding.</summary>
    public const string OperationTag = "keyward.approval.operation.v1";

    /// <summary>The canonical bytes of a parameter set (keys sorted ordinally; keys unique by construction).</summary>
    public static byte[] EncodeParameters(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var buffer = new MemoryStream();
        WriteString(buffer, ParametersTag);
        WriteUInt32(buffer, (uint)parameters.Count);
        foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            WriteString(buffer, key);
            WriteString(buffer, value);
        }

        return buffer.ToArray();
    }

    /// <summary>Reads <see cref="EncodeParameters"/> back; null when the bytes are not exactly such an encoding.</summary>
    public static SortedDictionary<string, string>? DecodeParameters(ReadOnlySpan<byte> encoded)
    {
        var reader = new Reader(encoded);
        if (reader.String() != ParametersTag || reader.UInt32() is not { } count || count > 1024)
        {
            return null;
        }

        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0u; i < count; i++)
        {
            if (reader.String() is not { } key || reader.String() is not { } value || !parameters.TryAdd(key, value))
            {
                return null;
            }
        }

        return reader.AtEnd ? parameters : null;
    }

    /// <summary>The parameters digest: SHA-256 of the canonical parameters.</summary>
    public static byte[] ParametersDigest(ReadOnlySpan<byte> encodedParameters) => SHA256.HashData(encodedParameters);

    /// <summary>The canonical bytes of (kind, target, parameters digest).</summary>
    public static byte[] EncodeOperation(OperationKind kind, string target, ReadOnlySpan<byte> parametersDigest)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (parametersDigest.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("A parameters digest is 32 bytes (SHA-256).", nameof(parametersDigest));
        }

        using var buffer = new MemoryStream();
        WriteString(buffer, OperationTag);
        WriteString(buffer, OperationKinds.Name(kind));
        WriteString(buffer, target);
        WriteBytes(buffer, parametersDigest);
        return buffer.ToArray();
    }

    /// <summary>The WebAuthn challenge an approval of <paramref name="operation"/> signs.</summary>
    public static byte[] Challenge(ReadOnlySpan<byte> operation, long operatorNonce, string instanceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentOutOfRangeException.ThrowIfNegative(operatorNonce);
        using var buffer = new MemoryStream();
        WriteBytes(buffer, operation);
        Span<byte> nonce = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(nonce, operatorNonce);
        buffer.Write(nonce);
        WriteString(buffer, instanceId);
        return SHA256.HashData(buffer.ToArray());
    }

    private static void WriteString(MemoryStream buffer, string value) => WriteBytes(buffer, Encoding.UTF8.GetBytes(value));

    private static void WriteBytes(MemoryStream buffer, ReadOnlySpan<byte> value)
    {
        WriteUInt32(buffer, (uint)value.Length);
        buffer.Write(value);
    }

    private static void WriteUInt32(MemoryStream buffer, uint value)
    {
        Span<byte> prefix = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, value);
        buffer.Write(prefix);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly bool AtEnd => _rest.IsEmpty;

        public uint? UInt32()
        {
            if (_rest.Length < 4)
            {
                return null;
            }

            var value = BinaryPrimitives.ReadUInt32BigEndian(_rest);
            _rest = _rest[4..];
            return value;
        }

        public string? String()
        {
            if (UInt32() is not { } length || length > (uint)_rest.Length)
            {
                return null;
            }

            try
            {
                var value = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(_rest[..(int)length]);
                _rest = _rest[(int)length..];
                return value;
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }
    }
}
