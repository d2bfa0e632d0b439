using System.Security.Cryptography;

namespace Keyward.WebAuthn.Cose;

/// <summary>RSASSA-PKCS1-v1_5 or RSASSA-PSS; lends its imported instance like <see cref="EcdsaVerifier"/>.</summary>
internal sealed class RsaVerifier(RSAParameters parameters, RSA imported, HashAlgorithmName hash, RSASignaturePadding padding) : ISignatureVerifier
{
    private RSA? _idle = imported;

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        // Stryker disable once NullCoalescing : equivalent, reusing the pooled instance only saves an import; a new one verifies the same
        var rsa = Interlocked.Exchange(ref _idle, null) ?? RSA.Create(parameters);
        try
        {
            return rsa.VerifyData(data, signature, hash, padding);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            if (Interlocked.CompareExchange(ref _idle, rsa, null) is not null)
            {
                rsa.Dispose();
            }
        }
    }
}
