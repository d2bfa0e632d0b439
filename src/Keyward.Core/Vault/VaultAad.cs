using System.Buffers.Binary;
using System.Text;

namespace Keyward.Core.Vault;

/// <summary>
/// The associated data that binds a ciphertext to the secret it belongs to (docs/vault.md, "Associated data").
/// Canonical and unambiguous: a sequence of fields, each a 4-byte big-endian length and its bytes, in a fixed order:
/// the label <c>keyward.vault.v1</c>, the purpose (<c>value</c> or <c>data-key</c>), tenant, data class, path (UTF-8),
/// version (8-byte big-endian), operator and actor (16 bytes each, RFC 9562 byte order), and, for
/// <c>data-key</c> only, the epoch (8-byte big-endian). The value's AAD leaves the epoch out so a rekey re-wraps the
/// data key without re-encrypting the value; the wrap's AAD has it, so a wrapped key moved to another epoch fails.
/// </summary>
public static class VaultAad
{
    private const string Label = "keyward.vault.v1";

    /// <summary>The AAD of a secret version's value (encrypted under its data key).</summary>
    public static byte[] ForValue(VaultAddress address, int version) => Encode("value", address, version, epoch: null);

    /// <summary>The AAD of a secret version's data key (wrapped under the KEK of <paramref name="epoch"/>).</summary>
    public static byte[] ForDataKey(VaultAddress address, int version, int epoch) => Encode("data-key", address, version, epoch);

    private static byte[] Encode(string purpose, VaultAddress address, int version, int? epoch)
    {
        ArgumentNullException.ThrowIfNull(address);
        var utf8 = Encoding.UTF8;
        var length =
            (4 + utf8.GetByteCount(Label)) + (4 + utf8.GetByteCount(purpose)) + (4 + utf8.GetByteCount(address.TenantId)) +
            (4 + utf8.GetByteCount(address.DataClass.Name)) + (4 + utf8.GetByteCount(address.Path)) +
            (4 + 8) + (4 + 16) + (4 + 16) + (epoch is null ? 0 : 4 + 8);
        var aad = new byte[length];
        var rest = aad.AsSpan();
        Text(ref rest, Label);
        Text(ref rest, purpose);
        Text(ref rest, address.TenantId);
        Text(ref rest, address.DataClass.Name);
        Text(ref rest, address.Path);
        Int64(ref rest, version);
        Uuid(ref rest, address.OperatorId);
        Uuid(ref rest, address.ActorId);
        if (epoch is { } e)
        {
            Int64(ref rest, e);
        }

        return aad;
    }

    private static void Text(ref Span<byte> rest, string value)
    {
        var written = Encoding.UTF8.GetBytes(value, rest[4..]);
        BinaryPrimitives.WriteUInt32BigEndian(rest, (uint)written);
        rest = rest[(4 + written)..];
    }

    private static void Int64(ref Span<byte> rest, long value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(rest, 8);
        BinaryPrimitives.WriteInt64BigEndian(rest[4..], value);
        rest = rest[12..];
    }

    private static void Uuid(ref Span<byte> rest, Guid value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(rest, 16);
        _ = value.TryWriteBytes(rest[4..], bigEndian: true, out _);
        rest = rest[20..];
    }
}
