namespace Keyward.WebAuthn.Attestation;

/// <summary>
/// TPMS_ATTEST (TPM 2.0 Part 2 §10.12.12) as tpm attestation's certInfo carries it. The certify-specific part
/// (TPMS_CERTIFY_INFO, §10.12.3) is read only when <see cref="Type"/> is TPM_ST_ATTEST_CERTIFY.
/// </summary>
internal sealed class TpmAttest
{
    /// <summary>TPM_GENERATED_VALUE: the TPM made this structure.</summary>
    public const uint GeneratedValue = 0xff544347;

    /// <summary>TPM_ST_ATTEST_CERTIFY.</summary>
    public const ushort AttestCertify = 0x8017;

    private TpmAttest()
    {
    }

    public uint Magic { get; private init; }

    public ushort Type { get; private init; }

    public byte[] QualifiedSigner { get; private init; } = [];

    /// <summary>The caller-supplied qualifying data: for WebAuthn, the hash of attToBeSigned.</summary>
    public byte[] ExtraData { get; private init; } = [];

    public ulong FirmwareVersion { get; private init; }

    /// <summary>attested.certify.name: the Name of the certified object.</summary>
    public byte[] Name { get; private init; } = [];

    /// <summary>attested.certify.qualifiedName.</summary>
    public byte[] QualifiedName { get; private init; } = [];

    /// <summary>
    /// Parses certInfo; null when it is truncated or, for a certify structure, has trailing bytes. Other
    /// structure types are returned with an empty <see cref="Name"/> for the caller to refuse by type.
    /// </summary>
    public static TpmAttest? Parse(ReadOnlySpan<byte> data)
    {
        const int ClockInfoLength = 8 + 4 + 4 + 1; // clock, resetCount, restartCount, safe
        var reader = new TpmReader(data);
        if (!reader.TryReadUInt32(out var magic) || !reader.TryReadUInt16(out var type) ||
            !reader.TryReadSized(out var qualifiedSigner) || !reader.TryReadSized(out var extraData) ||
            !reader.TrySkip(ClockInfoLength) || !reader.TryReadUInt64(out var firmware))
        {
            return null;
        }

        byte[] name = [], qualifiedName = [];
        if (type == AttestCertify && (!reader.TryReadSized(out name) || !reader.TryReadSized(out qualifiedName) || !reader.AtEnd))
        {
            return null;
        }

        return new TpmAttest
        {
            Magic = magic,
            Type = type,
            QualifiedSigner = qualifiedSigner,
            ExtraData = extraData,
            FirmwareVersion = firmware,
            Name = name,
            QualifiedName = qualifiedName,
        };
    }
}
