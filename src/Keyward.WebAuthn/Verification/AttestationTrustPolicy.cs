namespace Keyward.WebAuthn;

/// <summary>How much the relying party requires of attestation (WebAuthn L3 §7.1 steps 23–24).</summary>
public enum AttestationTrustPolicy
{
    /// <summary>
    /// Verify every attestation statement; validate x5c chains against the configured trust anchors and report
    /// whether they chain, but accept none, self and untrusted attestation. The default: most deployments want
    /// the signature checks without tying registration to a vendor list.
    /// </summary>
    Report = 0,
    /// <summary>Accept only attestation whose certificate chain reaches a configured trust anchor.</summary>
    RequireTrusted = 1,
}
