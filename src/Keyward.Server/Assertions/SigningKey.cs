using System.Security.Cryptography;

namespace Keyward.Server.Assertions;

/// <summary>An ES256 assertion signing key with its id and lifetime on this node.</summary>
internal sealed class SigningKey(string keyId, ECDsa key, DateTimeOffset createdAt)
{
    public string KeyId { get; } = keyId;

    public ECDsa Key { get; } = key;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public override string ToString() => $"ES256 key {KeyId}";
}
