using System.Security.Cryptography;

namespace Keyward.WebAuthn.Cose;

/// <summary>
/// ECDSA with a DER-encoded signature (WebAuthn L3 §6.5.5). .NET does not promise that one ECDsa instance is
/// safe to share across threads, so each imported instance is lent to one caller at a time. The key keeps up to
/// <see cref="Slots"/> idle instances (one per core, at most four): a caller takes any idle one, or imports its own copy
/// from the saved parameters when all are lent (correct, merely slower) and keeps it if a slot is free when it is done.
/// With one slot, concurrent sign-ins with one key (issue 15: 8 clients, one synced passkey) re-imported the key, about
/// three verifications' work, on every overlap.
/// </summary>
internal sealed class EcdsaVerifier : ISignatureVerifier
{
    /// <summary>The most idle instances one key keeps.</summary>
    internal static readonly int Slots = Math.Clamp(Environment.ProcessorCount, 1, 4);

    private readonly ECParameters _parameters;
    private readonly HashAlgorithmName _hash;
    private readonly ECDsa?[] _idle = new ECDsa?[Slots];

    public EcdsaVerifier(ECParameters parameters, ECDsa imported, HashAlgorithmName hash)
    {
        _parameters = parameters;
        _hash = hash;
        _idle[0] = imported;
    }

    /// <summary>How many instances are idle now (for tests).</summary>
    internal int IdleCount => _idle.Count(e => e is not null);

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        // Stryker disable once NullCoalescing : equivalent, reusing a pooled instance only saves an import; a new one verifies the same
        var ecdsa = Take() ?? ECDsa.Create(_parameters);
        try
        {
            return ecdsa.VerifyData(data, signature, _hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            Return(ecdsa);
        }
    }

    private ECDsa? Take()
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Interlocked.Exchange(ref _idle[i], null) is { } idle)
            {
                return idle;
            }
        }

        return null;
    }

    private void Return(ECDsa ecdsa)
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _idle[i], ecdsa, null) is null)
            {
                return;
            }
        }

        ecdsa.Dispose();
    }
}
