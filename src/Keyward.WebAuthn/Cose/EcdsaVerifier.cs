using System.Security.Cryptography;

namespace Keyward.WebAuthn.Cose;

/// <summary>
/// ECDSA with a DER-encoded signature (WebAuthn L3 §6.5.5). .NET does not promise that one ECDsa instance is
/// safe to share across threads, so the imported instance is lent to one caller at a time; a concurrent caller
/// imports its own copy from the saved parameters (correct, merely slower) and keeps it if the slot is empty.
/// </summary>
internal sealed class EcdsaVerifier(ECParameters parameters, ECDsa imported, HashAlgorithmName hash) : ISignatureVerifier
{
    private ECDsa? _idle = imported;

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        // Stryker disable once NullCoalescing : equivalent, reusing the pooled instance only saves an import; a new one verifies the same
        var ecdsa = Interlocked.Exchange(ref _idle, null) ?? ECDsa.Create(parameters);
        try
        {
            return ecdsa.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            if (Interlocked.CompareExchange(ref _idle, ecdsa, null) is not null)
            {
                ecdsa.Dispose();
            }
        }
    }
}
