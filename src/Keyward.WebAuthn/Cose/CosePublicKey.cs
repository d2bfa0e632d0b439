using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn.Cose;

/// <summary>
/// A credential public key in COSE_Key form (RFC 9052 §7), decoded, validated against its declared algorithm,
/// and ready to verify signatures. Importing a key costs about as much as three verifications, so instances are
/// meant to be cached (<see cref="CoseKeyCache"/>); <see cref="Verify"/> is safe to call from many threads.
/// </summary>
public sealed partial class CosePublicKey
{
    private readonly ISignatureVerifier _verifier;

    private CosePublicKey(CoseKeyType keyType, CoseAlgorithm algorithm, CoseCurve curve, byte[] encoded, CoseKeyMaterial material, ISignatureVerifier verifier)
    {
        KeyType = keyType;
        Algorithm = algorithm;
        Curve = curve;
        Encoded = encoded;
        Material = material;
        _verifier = verifier;
    }

    /// <summary>The key type (kty, label 1).</summary>
    public CoseKeyType KeyType { get; }

    /// <summary>The algorithm the key is bound to (alg, label 3).</summary>
    public CoseAlgorithm Algorithm { get; }

    /// <summary>The curve for EC2 and OKP keys, otherwise <see cref="CoseCurve.None"/>.</summary>
    public CoseCurve Curve { get; }

    /// <summary>The COSE_Key bytes exactly as the authenticator produced them.</summary>
    public byte[] Encoded { get; }

    /// <summary>The public numbers: x and y, n and e, or the raw public key.</summary>
    public CoseKeyMaterial Material { get; }

    /// <summary>Decodes, validates and imports a COSE_Key.</summary>
    public static WebAuthnResult<CosePublicKey> Decode(ReadOnlyMemory<byte> encoded)
    {
        // COSE keys come from authenticator data, CTAP2 canonical (CTAP 2.1 §8): definite lengths only.
        var cbor = CborDecoder.Decode(encoded, CborLimits.Authenticator);
        if (!cbor.Succeeded)
        {
            return cbor.Failure;
        }

        return FromCbor(cbor.Value, encoded.ToArray());
    }

    /// <summary>Verifies a signature over <paramref name="data"/> with this key and its algorithm.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => _verifier.Verify(data, signature);

    /// <inheritdoc />
    // Stryker disable once all : text for operators and failure details, not behaviour
    public override string ToString() => $"{KeyType} {Algorithm}{(Curve == CoseCurve.None ? string.Empty : " " + Curve)}";

    internal static WebAuthnResult<CosePublicKey> FromCbor(CborValue map, byte[] encoded)
    {
        if (map.Kind != CborKind.Map)
        {
            return Invalid("the COSE key is not a CBOR map");
        }

        if (!map.TryGetInteger(CoseLabels.KeyType, out var kty))
        {
            return Invalid("kty (label 1) is missing or not an integer");
        }

        if (!map.TryGetInteger(CoseLabels.Algorithm, out var alg))
        {
            return Invalid("alg (label 3) is missing or not an integer");
        }

        if (alg is < int.MinValue or > int.MaxValue || !Enum.IsDefined((CoseAlgorithm)(int)alg))
        {
            return WebAuthnResult<CosePublicKey>.Fail(WebAuthnErrorCode.AlgorithmUnsupported, $"COSE algorithm {alg}");
        }

        var algorithm = (CoseAlgorithm)(int)alg;
        return kty switch
        {
            (long)CoseKeyType.Ec2 => FromEc2(map, algorithm, encoded),
            (long)CoseKeyType.Okp => FromOkp(map, algorithm, encoded),
            (long)CoseKeyType.Rsa => FromRsa(map, algorithm, encoded),
            (long)CoseKeyType.Akp => FromAkp(map, algorithm, encoded),
            _ => WebAuthnResult<CosePublicKey>.Fail(WebAuthnErrorCode.AlgorithmUnsupported, $"COSE key type {kty}"),
        };
    }

    private static WebAuthnResult<CosePublicKey> Invalid(string detail) =>
        WebAuthnResult<CosePublicKey>.Fail(WebAuthnErrorCode.PublicKeyInvalid, detail);
}
