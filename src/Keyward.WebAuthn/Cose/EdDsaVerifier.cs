using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Keyward.WebAuthn.Cose;

/// <summary>
/// Pure EdDSA (RFC 8032) on Ed25519 or Ed448 through BouncyCastle: .NET 10 has no EdDSA API.
/// A signer object is created per call, so the verifier is stateless and thread-safe.
/// </summary>
internal sealed class EdDsaVerifier : ISignatureVerifier
{
    private readonly AsymmetricKeyParameter _key;
    private readonly bool _ed448;

    private EdDsaVerifier(AsymmetricKeyParameter key, bool ed448)
    {
        _key = key;
        _ed448 = ed448;
    }

    public static EdDsaVerifier? Create(CoseCurve curve, byte[] publicKey)
    {
        try
        {
            return curve == CoseCurve.Ed448
                ? new EdDsaVerifier(new Ed448PublicKeyParameters(publicKey), ed448: true)
                : new EdDsaVerifier(new Ed25519PublicKeyParameters(publicKey), ed448: false);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ISigner signer = _ed448 ? new Ed448Signer([]) : new Ed25519Signer();
        signer.Init(false, _key);
        signer.BlockUpdate(data);
        return signer.VerifySignature(signature.ToArray());
    }
}
