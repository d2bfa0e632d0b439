namespace Keyward.Core.Vault;

/// <summary>
/// No key-encryption key is configured for an epoch the vault needs: a configuration problem, not a refusal. The
/// message names the epoch and the setting that provides it; it never carries key material.
/// </summary>
public sealed class VaultKeyUnavailableException : Exception
{
    /// <summary>Creates the exception for <paramref name="epoch"/>.</summary>
    public VaultKeyUnavailableException(int epoch)
        : base($"No key-encryption key is configured for vault epoch {epoch}. Set {VaultOptions.Section}:Keys:{epoch}:File (a file of mode 0600 holding 32 random bytes in base64) or {VaultOptions.Section}:Keys:{epoch}:Environment (the name of an environment variable holding them).") =>
        Epoch = epoch;

    /// <summary>Creates the exception with a message.</summary>
    public VaultKeyUnavailableException() : base("No key-encryption key is configured for a vault epoch.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public VaultKeyUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public VaultKeyUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The epoch without a key.</summary>
    public int Epoch { get; }
}
