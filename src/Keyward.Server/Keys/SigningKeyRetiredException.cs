namespace Keyward.Server.Keys;

/// <summary>
/// The shared key that would sign now is past its <c>retire_at</c>: this node has not read its successor (it cannot
/// open it, the database is unreachable, or its clock runs ahead), so it refuses to sign rather than mint something no
/// other node trusts for long enough (<see cref="SigningKeyRetiredAnswer"/> answers 503 <c>signing_key_retired</c>).
/// Names the purpose and key id only.
/// </summary>
public sealed class SigningKeyRetiredException : Exception
{
    public SigningKeyRetiredException()
    {
    }

    public SigningKeyRetiredException(string message)
        : base(message)
    {
    }

    public SigningKeyRetiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal SigningKeyRetiredException(string purpose, string keyId, DateTimeOffset retiredAt)
        : base($"The {purpose} signing key {keyId} retired at {retiredAt:O} and this node has no successor it can use: it refuses to sign until it reads the keys again (check the database and that every node has the same {Core.Vault.VaultOptions.Section}:Keys).")
    {
        Purpose = purpose;
    }

    /// <summary>The purpose of the retired key (assertion, capability, audit).</summary>
    public string? Purpose { get; }
}
