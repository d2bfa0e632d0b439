using System.Security.Cryptography.X509Certificates;

namespace Keyward.WebAuthn.Attestation;

/// <summary>
/// The outcome of a format's verification procedure: the attestation type and, for x5c-based types, the
/// trust path (leaf first). Chain validation against trust anchors is done once, centrally, by the caller.
/// </summary>
/// <param name="Type">The attestation type.</param>
/// <param name="TrustPath">The certificates from x5c, leaf first; empty for none and self.</param>
internal sealed record AttestationVerdict(AttestationType Type, IReadOnlyList<X509Certificate2> TrustPath)
{
    public static AttestationVerdict None { get; } = new(AttestationType.None, []);

    public static AttestationVerdict Self { get; } = new(AttestationType.Self, []);
}
