using System.Buffers.Binary;

namespace Keyward.Core.Audit;

/// <summary>
/// A signed tree head: the log held <see cref="TreeSize"/> events with root <see cref="RootHash"/> at
/// <see cref="Timestamp"/>, signed by key <see cref="KeyId"/> over <see cref="SignatureInput"/>.
/// </summary>
public sealed record SignedTreeHead(long TreeSize, byte[] RootHash, long Timestamp, string KeyId, byte[] Signature)
{
    /// <summary>The length of <see cref="SignatureInput"/>.</summary>
    public const int SignatureInputLength = 50;

    /// <summary><see cref="Timestamp"/> (Unix milliseconds) as an instant.</summary>
    public DateTimeOffset Time => DateTimeOffset.FromUnixTimeMilliseconds(Timestamp);

    /// <summary>
    /// The signed bytes, laid out as RFC 6962 §3.5's TreeHeadSignature: version 0x00 (v1), signature type 0x01
    /// (tree_hash), timestamp (uint64 big-endian, Unix ms), tree_size (uint64 big-endian), root hash (32 bytes).
    /// </summary>
    public static byte[] SignatureInput(long treeSize, long timestamp, ReadOnlySpan<byte> rootHash)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        if (rootHash.Length != MerkleTree.HashSize)
        {
            throw new ArgumentException("A root hash is 32 bytes.", nameof(rootHash));
        }

        var input = new byte[SignatureInputLength];
        input[0] = 0x00;
        input[1] = 0x01;
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(2), (ulong)timestamp);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(10), (ulong)treeSize);
        rootHash.CopyTo(input.AsSpan(18));
        return input;
    }

    /// <summary>Equal when every field is, byte for byte.</summary>
    public bool Equals(SignedTreeHead? other) =>
        other is not null && TreeSize == other.TreeSize && Timestamp == other.Timestamp && KeyId == other.KeyId
        && RootHash.AsSpan().SequenceEqual(other.RootHash) && Signature.AsSpan().SequenceEqual(other.Signature);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TreeSize, Timestamp, KeyId);

    /// <summary>Whether the signature verifies with a public key (DER SubjectPublicKeyInfo) whose id is <see cref="KeyId"/>.</summary>
    public bool VerifySignature(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        RootHash.Length == MerkleTree.HashSize && TreeSize >= 0 && Timestamp >= 0
        && AuditSigningKey.KeyIdOf(subjectPublicKeyInfo) == KeyId
        && AuditSigningKey.Verify(subjectPublicKeyInfo, SignatureInput(TreeSize, Timestamp, RootHash), Signature);
}
