using System.Security.Cryptography;

namespace Keyward.Core.Vault;

/// <summary>
/// A decrypted secret value in a pinned buffer that <see cref="Dispose"/> clears. Use it and dispose it; copy the
/// value out only where the copy is cleared too. <see cref="ToString"/> never shows the value.
/// </summary>
public sealed class VaultSecret : IDisposable
{
    private readonly byte[] _value;
    private bool _disposed;

    internal VaultSecret(string path, int version, byte[] pinnedValue)
    {
        Path = path;
        Version = version;
        _value = pinnedValue;
    }

    /// <summary>The secret's path.</summary>
    public string Path { get; }

    /// <summary>The version that was read.</summary>
    public int Version { get; }

    /// <summary>The plaintext; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Value
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _value;
        }
    }

    /// <summary>Clears the plaintext.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_value);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{nameof(VaultSecret)} {Path} v{Version} ({_value.Length} bytes)";
}
