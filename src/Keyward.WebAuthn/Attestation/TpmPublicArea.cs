namespace Keyward.WebAuthn.Attestation;

/// <summary>
/// TPMT_PUBLIC (TPM 2.0 Part 2 §12.2.4) for the RSA and ECC key types that WebAuthn credentials use: the TPM's
/// description of the credential key, which tpm attestation certifies.
/// </summary>
internal sealed class TpmPublicArea
{
    public const ushort AlgRsa = 0x0001;
    public const ushort AlgEcc = 0x0023;
    public const ushort AlgNull = 0x0010;

    private const ushort AlgRsaes = 0x0015;
    private const ushort AlgEcdaa = 0x001A;

    private TpmPublicArea()
    {
    }

    /// <summary>TPMI_ALG_PUBLIC: <see cref="AlgRsa"/> or <see cref="AlgEcc"/>.</summary>
    public ushort Type { get; private init; }

    /// <summary>The hash algorithm of the object's Name (TPM_ALG_SHA256 and so on).</summary>
    public ushort NameAlg { get; private init; }

    public uint ObjectAttributes { get; private init; }

    public byte[] AuthPolicy { get; private init; } = [];

    /// <summary>RSA key size in bits.</summary>
    public ushort KeyBits { get; private init; }

    /// <summary>RSA public exponent; 0 means the default, 65537 (Part 2 §12.2.3.5).</summary>
    public uint Exponent { get; private init; }

    /// <summary>RSA modulus (unique.rsa).</summary>
    public byte[] Modulus { get; private init; } = [];

    /// <summary>TPM_ECC_CURVE of an ECC key.</summary>
    public ushort CurveId { get; private init; }

    /// <summary>ECC point x (unique.ecc.x).</summary>
    public byte[] X { get; private init; } = [];

    /// <summary>ECC point y (unique.ecc.y).</summary>
    public byte[] Y { get; private init; } = [];

    /// <summary>Parses a whole TPMT_PUBLIC; null when it is truncated, has trailing bytes or is not an RSA or ECC key.</summary>
    public static TpmPublicArea? Parse(ReadOnlySpan<byte> data)
    {
        var reader = new TpmReader(data);
        if (!reader.TryReadUInt16(out var type) || !reader.TryReadUInt16(out var nameAlg) ||
            !reader.TryReadUInt32(out var attributes) || !reader.TryReadSized(out var authPolicy))
        {
            return null;
        }

        // TPMT_SYM_DEF_OBJECT: algorithm, then keyBits and mode unless it is TPM_ALG_NULL.
        if (!reader.TryReadUInt16(out var symmetric) || (symmetric != AlgNull && !reader.TrySkip(4)))
        {
            return null;
        }

        // TPMT_RSA_SCHEME / TPMT_ECC_SCHEME: scheme, then its details (none for NULL and RSAES, hashAlg and count
        // for ECDAA, hashAlg for the rest).
        if (!reader.TryReadUInt16(out var scheme) || !reader.TrySkip(scheme switch { AlgNull or AlgRsaes => 0, AlgEcdaa => 4, _ => 2 }))
        {
            return null;
        }

        switch (type)
        {
            case AlgRsa:
                {
                    if (!reader.TryReadUInt16(out var keyBits) || !reader.TryReadUInt32(out var exponent) || !reader.TryReadSized(out var modulus) || !reader.AtEnd)
                    {
                        return null;
                    }

                    return new TpmPublicArea
                    {
                        Type = type,
                        NameAlg = nameAlg,
                        ObjectAttributes = attributes,
                        AuthPolicy = authPolicy,
                        KeyBits = keyBits,
                        Exponent = exponent,
                        Modulus = modulus,
                    };
                }

            case AlgEcc:
                {
                    // TPMS_ECC_PARMS: curveID, then TPMT_KDF_SCHEME (scheme, hashAlg unless NULL).
                    if (!reader.TryReadUInt16(out var curve) || !reader.TryReadUInt16(out var kdf) || (kdf != AlgNull && !reader.TrySkip(2)))
                    {
                        return null;
                    }

                    if (!reader.TryReadSized(out var x) || !reader.TryReadSized(out var y) || !reader.AtEnd)
                    {
                        return null;
                    }

                    return new TpmPublicArea
                    {
                        Type = type,
                        NameAlg = nameAlg,
                        ObjectAttributes = attributes,
                        AuthPolicy = authPolicy,
                        CurveId = curve,
                        X = x,
                        Y = y,
                    };
                }

            default:
                return null;
        }
    }
}
