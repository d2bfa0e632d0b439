using System.Security.Cryptography;

namespace Keyward.Core.Keys;

/// <summary>
/// A shared signing key opened on this node: the ECDSA P-256 key and its public facts. <see cref="ToString"/> names
/// it by id only.
/// </summary>
public sealed class SharedSigningKey(SigningKeyRecord record, ECDsa key)
{
    /// <summary>Its public facts.</summary>
    public SigningKeyRecord Record { get; } = record;

    /// <summary>The key id.</summary>
    public string KeyId => Record.KeyId;

    /// <summary>The key (private half included: never log or serialize it).</summary>
    public ECDsa Key { get; } = key;

    /// <inheritdoc />
    public override string ToString() => $"ES256 {Record.Purpose} key {Record.KeyId}";
}
