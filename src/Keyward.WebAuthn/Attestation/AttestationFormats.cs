using System.Collections.Frozen;

namespace Keyward.WebAuthn.Attestation;

/// <summary>The registry of supported attestation statement formats, by fmt identifier.</summary>
internal static class AttestationFormats
{
    private static readonly FrozenDictionary<string, IAttestationFormat> Formats = new IAttestationFormat[]
    {
        new NoneAttestation(),
        new PackedAttestation(),
        new TpmAttestation(),
        new AndroidKeyAttestation(),
        new AndroidSafetyNetAttestation(),
        new FidoU2fAttestation(),
        new AppleAttestation(),
    }.ToFrozenDictionary(f => f.Format, StringComparer.Ordinal);

    public static bool TryGet(string fmt, out IAttestationFormat format) => Formats.TryGetValue(fmt, out format!);
}
