using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn.Attestation;

/// <summary>fmt "none" (WebAuthn L3 §8.7): attStmt must be an empty map.</summary>
internal sealed class NoneAttestation : IAttestationFormat
{
    public string Format => "none";

    public WebAuthnResult<AttestationVerdict> Verify(AttestationInput input) =>
        input.Statement.Kind == CborKind.Map && input.Statement.Entries.Count == 0
            ? WebAuthnResult<AttestationVerdict>.Ok(AttestationVerdict.None)
            : WebAuthnResult<AttestationVerdict>.Fail(WebAuthnErrorCode.AttestationInvalid, "fmt none requires an empty attStmt");
}
