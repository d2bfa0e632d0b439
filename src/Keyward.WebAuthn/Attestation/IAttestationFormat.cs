namespace Keyward.WebAuthn.Attestation;

/// <summary>One attestation statement format (WebAuthn L3 §8). Implementations are stateless and thread-safe.</summary>
internal interface IAttestationFormat
{
    /// <summary>The fmt identifier, e.g. "packed".</summary>
    string Format { get; }

    /// <summary>Runs the format's verification procedure.</summary>
    WebAuthnResult<AttestationVerdict> Verify(AttestationInput input);
}
