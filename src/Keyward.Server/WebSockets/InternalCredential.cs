using System.Security.Cryptography;
using Keyward.Core.Credentials;

namespace Keyward.Server.WebSockets;

/// <summary>
/// The process-local internal credential (<c>kwn_</c>): minted on first use, multi-use, lives as long as the process.
/// No endpoint returns it and nothing writes it to disk or logs; only <see cref="ChildProcessLauncher"/> reads it, to
/// hand it to children Keyward spawns. Accepted only from loopback on routes marked Internal (the gate checks both
/// before <see cref="Verify"/>). Threat model: docs/internal-credential.md.
/// </summary>
internal sealed class InternalCredential
{
    /// <summary>The environment variable a child reads it from.</summary>
    public const string EnvironmentVariable = "KEYWARD_INTERNAL_CREDENTIAL";

    private readonly Lock _lock = new();
    private string? _value;
    private byte[]? _hash;

    /// <summary>True once a child has been given the credential; until then every value is refused.</summary>
    public bool IsMinted => Volatile.Read(ref _hash) is not null;

    /// <summary>True when <paramref name="presented"/> is the minted credential (constant time). Always false before minting.</summary>
    public bool Verify(string? presented)
    {
        var expected = Volatile.Read(ref _hash);
        if (expected is null || !SecretToken.IsWellFormed(CredentialKind.Internal, presented))
        {
            return false;
        }

        // Compare hashes, so the time taken says nothing about how much of the secret matched.
        return CryptographicOperations.FixedTimeEquals(SecretToken.Hash(CredentialKind.Internal, presented!), expected);
    }

    /// <summary>The credential, minted on the first call. Only for <see cref="ChildProcessLauncher"/>.</summary>
    internal string GetOrMint()
    {
        lock (_lock)
        {
            if (_value is null)
            {
                _value = SecretToken.Generate(CredentialKind.Internal);
                Volatile.Write(ref _hash, SecretToken.Hash(CredentialKind.Internal, _value));
            }

            return _value;
        }
    }

    /// <summary>Never the value.</summary>
    public override string ToString() => IsMinted ? "internal credential (minted)" : "internal credential (not minted)";
}
