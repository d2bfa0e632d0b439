namespace Keyward.WebAuthn;

/// <summary>WebAuthn attestation conveyance preference (L3 §5.4.7).</summary>
public enum AttestationConveyance
{
    /// <summary>No attestation; the client may replace it with "none". The default: it costs users nothing.</summary>
    None = 0,
    /// <summary>The client may anonymize the attestation.</summary>
    Indirect = 1,
    /// <summary>The attestation statement as the authenticator made it.</summary>
    Direct = 2,
    /// <summary>Enterprise attestation (uniquely identifying); only for managed deployments.</summary>
    Enterprise = 3,
}
