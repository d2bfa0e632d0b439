using Keyward.WebAuthn.Attestation;
using static Keyward.WebAuthn.Tests.Attestation.Statements;

namespace Keyward.WebAuthn.Tests.Attestation;

public sealed class AndroidSafetyNetAttestationTests
{
    [Fact]
    public void SafetyNet_Refused()
    {
        using var credential = TestCredential.CreateEc();
        var statement = Map(("ver", Text("200616037")), ("response", Bytes([1, 2, 3])));

        AttestationAssert.Fails(WebAuthnErrorCode.AttestationFormatRefused, new AndroidSafetyNetAttestation().Verify(credential.Input(statement)));
    }
}
