using Keyward.WebAuthn.Attestation;

namespace Keyward.WebAuthn.Tests.Attestation;

/// <summary>
/// TPM 2.0 marshalled reads (big-endian): each read succeeds with exactly enough bytes and consumes them, and with
/// one byte fewer fails without consuming anything; TPMS_ATTEST is read field by field.
/// </summary>
public sealed class TpmReaderTests
{
    [Fact]
    public void TryReadUInt16_ExactlyTwoBytes_ReadsBigEndian()
    {
        var reader = new TpmReader([0x01, 0x02]);

        Assert.True(reader.TryReadUInt16(out var value));
        Assert.Equal(0x0102, value);
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void TryReadUInt32_ExactlyFourBytes_ReadsBigEndian()
    {
        var reader = new TpmReader([0x01, 0x02, 0x03, 0x04]);

        Assert.True(reader.TryReadUInt32(out var value));
        Assert.Equal(0x01020304u, value);
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void TryReadUInt64_ExactlyEightBytes_ReadsBigEndian()
    {
        var reader = new TpmReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]);

        Assert.True(reader.TryReadUInt64(out var value));
        Assert.Equal(0x0102030405060708ul, value);
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void Reads_OneByteShort_FailAndConsumeNothing()
    {
        var reader = new TpmReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]);

        Assert.False(reader.TryReadUInt64(out var u64));
        Assert.Equal(0ul, u64);
        Assert.True(reader.TrySkip(4));
        Assert.False(reader.TryReadUInt32(out var u32));
        Assert.Equal(0u, u32);
        Assert.True(reader.TrySkip(2));
        Assert.False(reader.TryReadUInt16(out var u16));
        Assert.Equal(0, u16);
        Assert.False(reader.AtEnd);
        Assert.True(reader.TrySkip(1));
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void TryReadSized_SizeOfTheRest_ReadsItAll()
    {
        var reader = new TpmReader([0x00, 0x02, 0xAA, 0xBB]);

        Assert.True(reader.TryReadSized(out var value));
        Assert.Equal([0xAA, 0xBB], value);
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void TryReadSized_SizeBeyondTheRest_Fails()
    {
        var reader = new TpmReader([0x00, 0x03, 0xAA, 0xBB]);

        Assert.False(reader.TryReadSized(out var value));
        Assert.Empty(value);
    }

    [Fact]
    public void TryReadSized_SizeZero_IsEmpty()
    {
        var reader = new TpmReader([0x00, 0x00, 0xCC]);

        Assert.True(reader.TryReadSized(out var value));
        Assert.Empty(value);
        Assert.False(reader.TryReadUInt16(out _));
        Assert.True(reader.TrySkip(1));
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void TrySkip_NegativeOrBeyondTheRest_Fails()
    {
        var reader = new TpmReader([0x01, 0x02]);

        Assert.False(reader.TrySkip(-1));
        Assert.False(reader.TrySkip(3));
        Assert.True(reader.TrySkip(0));
        Assert.True(reader.TrySkip(2));
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void TpmAttestParse_Certify_ReadsEveryField()
    {
        byte[] certInfo =
        [
            0xFF, 0x54, 0x43, 0x47,             // magic
            0x80, 0x17,                         // type: TPM_ST_ATTEST_CERTIFY
            0x00, 0x01, 0x51,                   // qualifiedSigner
            0x00, 0x02, 0xE1, 0xE2,             // extraData
            .. new byte[17],                    // clockInfo
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // firmwareVersion
            0x00, 0x01, 0x4E,                   // name
            0x00, 0x02, 0x71, 0x72,             // qualifiedName
        ];

        var attest = TpmAttest.Parse(certInfo);

        Assert.NotNull(attest);
        Assert.Equal(TpmAttest.GeneratedValue, attest.Magic);
        Assert.Equal(TpmAttest.AttestCertify, attest.Type);
        Assert.Equal([0x51], attest.QualifiedSigner);
        Assert.Equal([0xE1, 0xE2], attest.ExtraData);
        Assert.Equal(0x0102030405060708ul, attest.FirmwareVersion);
        Assert.Equal([0x4E], attest.Name);
        Assert.Equal([0x71, 0x72], attest.QualifiedName);
        Assert.Null(TpmAttest.Parse([.. certInfo, 0x00]));
        Assert.Null(TpmAttest.Parse(certInfo.AsSpan(0, certInfo.Length - 1)));
    }

    [Fact]
    public void TpmAttestParse_OtherType_StopsAfterTheCommonFields()
    {
        byte[] quote =
        [
            0xFF, 0x54, 0x43, 0x47,
            0x80, 0x18,                         // TPM_ST_ATTEST_QUOTE
            0x00, 0x00,
            0x00, 0x00,
            .. new byte[17],
            .. new byte[8],
            0x01, 0x02, 0x03,                   // the quote's own fields, not read
        ];

        var attest = TpmAttest.Parse(quote);

        Assert.NotNull(attest);
        Assert.Equal(0x8018, attest.Type);
        Assert.Empty(attest.Name);
        Assert.Empty(attest.QualifiedName);
        Assert.Null(TpmAttest.Parse(quote.AsSpan(0, 4 + 2 + 2 + 2 + 17 + 7)));
    }
}
