using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Keyward.WebAuthn.Cose;

/// <summary>
/// ML-DSA (FIPS 204, pure mode, empty context) through BouncyCastle: .NET's MLDsa needs OpenSSL 3.5,
/// which Debian 12 does not ship.
/// </summary>
internal sealed class MLDsaVerifier : ISignatureVerifier
{
    private readonly MLDsaPublicKeyParameters _key;

    private MLDsaVerifier(MLDsaPublicKeyParameters key) => _key = key;

    public static MLDsaVerifier? Create(CoseAlgorithm algorithm, byte[] publicKey)
    {
        var parameters = algorithm switch
        {
            CoseAlgorithm.MLDsa44 => MLDsaParameters.ml_dsa_44,
            CoseAlgorithm.MLDsa65 => MLDsaParameters.ml_dsa_65,
            _ => MLDsaParameters.ml_dsa_87,
        };
        try
        {
            return new MLDsaVerifier(MLDsaPublicKeyParameters.FromEncoding(parameters, publicKey));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var signer = new MLDsaSigner(_key.Parameters, deterministic: true);
        signer.Init(false, _key);
        signer.BlockUpdate(data);
        return signer.VerifySignature(signature.ToArray());
    }
}
