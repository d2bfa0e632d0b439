using Keyward.WebAuthn.Attestation;

namespace Keyward.WebAuthn.Tests.Attestation;

/// <summary>
/// TPMT_PUBLIC parsing (TPM 2.0 Part 2 §12.2.4): the variable-length parts (symmetric definition, scheme details,
/// KDF) are skipped by exactly their size, so the key that follows is read from the right place; truncated input,
/// trailing bytes and key types other than RSA and ECC are refused.
/// </summary>
public sealed class TpmPublicAreaTests
{
    private static readonly byte[] Header =
    [
        0x00, 0x0B,             // nameAlg SHA-256
        0x00, 0x06, 0x04, 0x72, // objectAttributes
        0x00, 0x02, 0xA1, 0xA2, // authPolicy
    ];

    [Fact]
    public void Parse_Rsa_ReadsEveryField()
    {
        var area = TpmPublicArea.Parse(Rsa(symmetric: [0x00, 0x10], scheme: [0x00, 0x10]));

        Assert.NotNull(area);
        Assert.Equal(TpmPublicArea.AlgRsa, area.Type);
        Assert.Equal(0x000B, area.NameAlg);
        Assert.Equal(0x00060472u, area.ObjectAttributes);
        Assert.Equal([0xA1, 0xA2], area.AuthPolicy);
        Assert.Equal(16, area.KeyBits);
        Assert.Equal(0x00010001u, area.Exponent);
        Assert.Equal([0xC1, 0xC2], area.Modulus);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x06, 0x00, 0x80, 0x00, 0x43 })]   // AES-128-CFB: algorithm, keyBits, mode
    [InlineData(new byte[] { 0x00, 0x10 })]                            // TPM_ALG_NULL: nothing follows
    public void Parse_SymmetricDefinition_IsSkippedByItsSize(byte[] symmetric)
    {
        var area = TpmPublicArea.Parse(Rsa(symmetric, scheme: [0x00, 0x10]));

        Assert.Equal([0xC1, 0xC2], area?.Modulus);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x10 })]                            // TPM_ALG_NULL
    [InlineData(new byte[] { 0x00, 0x15 })]                            // RSAES: no details
    [InlineData(new byte[] { 0x00, 0x14, 0x00, 0x0B })]                // RSASSA: hashAlg
    [InlineData(new byte[] { 0x00, 0x1A, 0x00, 0x0B, 0x00, 0x01 })]    // ECDAA: hashAlg and count
    public void Parse_Scheme_IsSkippedByItsSize(byte[] scheme)
    {
        var area = TpmPublicArea.Parse(Rsa(symmetric: [0x00, 0x10], scheme));

        Assert.Equal([0xC1, 0xC2], area?.Modulus);
    }

    [Fact]
    public void Parse_Ecc_ReadsCurveAndPoint()
    {
        var area = TpmPublicArea.Parse(Ecc(kdf: [0x00, 0x10]));

        Assert.NotNull(area);
        Assert.Equal(TpmPublicArea.AlgEcc, area.Type);
        Assert.Equal(0x0003, area.CurveId);
        Assert.Equal([0xD1], area.X);
        Assert.Equal([0xE1, 0xE2], area.Y);
        Assert.Equal([0xA1, 0xA2], area.AuthPolicy);
    }

    [Fact]
    public void Parse_EccKdfScheme_IsSkippedByItsSize()
    {
        var area = TpmPublicArea.Parse(Ecc(kdf: [0x00, 0x20, 0x00, 0x0B]));   // KDF1-SP800-56A with SHA-256

        Assert.Equal([0xD1], area?.X);
    }

    [Fact]
    public void Parse_TruncatedAtAnyLength_Null()
    {
        foreach (var whole in new[] { Rsa([0x00, 0x10], [0x00, 0x10]), Ecc([0x00, 0x10]), Rsa([0x00, 0x06, 0x00, 0x80, 0x00, 0x43], [0x00, 0x1A, 0x00, 0x0B, 0x00, 0x01]), Ecc([0x00, 0x20, 0x00, 0x0B]) })
        {
            for (var length = 0; length < whole.Length; length++)
            {
                Assert.Null(TpmPublicArea.Parse(whole.AsSpan(0, length)));
            }
        }
    }

    [Fact]
    public void Parse_TrailingBytes_Null()
    {
        Assert.Null(TpmPublicArea.Parse([.. Rsa([0x00, 0x10], [0x00, 0x10]), 0x00]));
        Assert.Null(TpmPublicArea.Parse([.. Ecc([0x00, 0x10]), 0x00]));
    }

    [Fact]
    public void Parse_OtherKeyType_Null()
    {
        var keyedHash = Rsa([0x00, 0x10], [0x00, 0x10]);
        keyedHash[1] = 0x08;   // TPM_ALG_KEYEDHASH

        Assert.Null(TpmPublicArea.Parse(keyedHash));
    }

    private static byte[] Rsa(byte[] symmetric, byte[] scheme) =>
    [
        0x00, 0x01, .. Header, .. symmetric, .. scheme,
        0x00, 0x10,             // keyBits
        0x00, 0x01, 0x00, 0x01, // exponent
        0x00, 0x02, 0xC1, 0xC2, // unique.rsa
    ];

    private static byte[] Ecc(byte[] kdf) =>
    [
        0x00, 0x23, .. Header,
        0x00, 0x10,             // symmetric NULL
        0x00, 0x18, 0x00, 0x0B, // scheme ECDSA with SHA-256
        0x00, 0x03,             // curveID NIST P-256
        .. kdf,
        0x00, 0x01, 0xD1,       // unique.ecc.x
        0x00, 0x02, 0xE1, 0xE2, // unique.ecc.y
    ];
}
