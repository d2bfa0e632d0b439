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
        var fields = new List<byte[]>(9)
        {
            Encoding.UTF8.GetBytes(Label),
            Encoding.UTF8.GetBytes(purpose),
            Encoding.UTF8.GetBytes(address.TenantId),
            Encoding.UTF8.GetBytes(address.DataClass.Name),
            Encoding.UTF8.GetBytes(address.Path),
            Int64(version),
            address.OperatorId.ToByteArray(bigEndian: true),
            address.ActorId.ToByteArray(bigEndian: true),
        };
        if (epoch is { } e)
        {
            fields.Add(Int64(e));
        }

        var aad = new byte[fields.Sum(f => 4 + f.Length)];
        var offset = 0;
        foreach (var field in fields)
        {
            BinaryPrimitives.WriteUInt32BigEndian(aad.AsSpan(offset), (uint)field.Length);
            field.CopyTo(aad, offset + 4);
            offset += 4 + field.Length;
        }

        return aad;
    }

    private static byte[] Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }
}
