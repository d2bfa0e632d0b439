namespace Keyward.Core.Vault;

/// <summary>
/// Where one epoch's key-encryption key comes from (<c>Keyward:Vault:Keys:&lt;epoch&gt;</c>): exactly one of a key
/// file or an environment variable, each holding 32 random bytes in base64 (<c>openssl rand -base64 32</c>).
/// </summary>
public sealed record KeyEncryptionKeySource
{
    /// <summary>An absolute path to a file of mode 0600 (or 0400) owned by Keyward's user.</summary>
    public string? File { get; init; }

    /// <summary>The name of an environment variable.</summary>
    public string? Environment { get; init; }
}
