using System.Security.Cryptography;

namespace Keyward.Client;

/// <summary>
/// A secret value read from the vault, in a buffer that <see cref="Dispose"/> clears. Use it and dispose it;
/// <see cref="ToString"/> never shows the value.
/// </summary>
public sealed class VaultValue : IDisposable
{
    private readonly byte[] _value;
    private bool _disposed;

    internal VaultValue(string path, int version, byte[] value)
    {
        Path = path;
        Version = version;
        _value = value;
    }

    /// <summary>The path.</summary>
    public string Path { get; }

    /// <summary>The version read.</summary>
    public int Version { get; }

    /// <summary>The value; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Value
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _value;
        }
    }

    /// <summary>Clears the value.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_value);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Path} v{Version} ({_value.Length} bytes)";
}
