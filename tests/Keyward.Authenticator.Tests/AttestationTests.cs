using Keyward.WebAuthn;
using Keyward.WebAuthn.Cose;

namespace Keyward.Authenticator.Tests;

public class AttestationTests
{
    [Fact]
    public void MakeCredential_PackedSelf_SignsAuthDataAndClientDataHashWithTheCredentialKey()
    {
        var key = VirtualAuthenticator.Create();

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(attestation: "direct"), TestOptions.Origin));

        Assert.Equal("packed", decoded.Format);
        Assert.Equal(-7, decoded.Statement.Alg);
        var sig = decoded.Statement.Sig!;
        Assert.Equal(0x30, sig[0]); // DER SEQUENCE, not raw r‖s (WebAuthn L3 §6.5.5)
        Assert.True(decoded.CredentialPublicKey.Verify(decoded.SignedBytes(), sig));
    }

    [Theory]
    [InlineData(-8, 0x27)]
    [InlineData(-19, 0x32)]
    public void MakeCredential_Ed25519_EncodesOkpKeyAndSigns(int alg, byte encodedAlg)
    {
        var key = VirtualAuthenticator.Create();

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(algorithms: [alg]), TestOptions.Origin));

        var cose = key.Credentials.Single().PublicKey;
        Assert.Equal([0xA4, 0x01, 0x01, 0x03, encodedAlg, 0x20, 0x06, 0x21, 0x58, 0x20], cose[..10]);
        Assert.Equal(42, cose.Length);
        Assert.Equal((CoseAlgorithm)alg, decoded.CredentialPublicKey.Algorithm);
        Assert.Equal(alg, decoded.Statement.Alg);
        Assert.Equal(64, decoded.Statement.Sig!.Length);
        Assert.True(decoded.CredentialPublicKey.Verify(decoded.SignedBytes(), decoded.Statement.Sig));
        Assert.Equal(alg, decoded.Response.GetProperty("publicKeyAlgorithm").GetInt32());
    }

    [Fact]
    public void MakeCredential_ConveyanceNoneWithNonZeroAaguid_ClientSubstitutesNoneAndKeepsAaguid()
    {
        var key = VirtualAuthenticator.Create();

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(attestation: "none"), TestOptions.Origin));

        Assert.Equal("none", decoded.Format);
        Assert.Equal(0, decoded.StatementEntries);
        Assert.Equal(VirtualAuthenticatorOptions.DefaultAaguid, decoded.AuthenticatorData.AttestedCredential!.Aaguid);
    }

    [Fact]
    public void MakeCredential_ConveyanceNoneWithZeroAaguid_KeepsSelfAttestation()
    {
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { Aaguid = new byte[16] });

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(attestation: "none"), TestOptions.Origin));

        Assert.Equal("packed", decoded.Format);
    }

    [Fact]
    public void MakeCredential_AttestationNone_WritesEmptyStatement()
    {
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { Attestation = VirtualAttestation.None });

        var decoded = Decoded.Registration(key.MakeCredential(TestOptions.Creation(attestation: "direct"), TestOptions.Origin));

        Assert.Equal("none", decoded.Format);
        Assert.Equal(0, decoded.StatementEntries);
    }

    [Fact]
    public void MakeCredential_BackupEligibleAndBackedUp_SetsBeAndBs()
    {
        var eligible = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { BackupEligible = true });
        var backedUp = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { BackupEligible = true, BackedUp = true });

        var e = Decoded.Registration(eligible.MakeCredential(TestOptions.Creation(), TestOptions.Origin)).AuthenticatorData;
        var b = Decoded.Registration(backedUp.MakeCredential(TestOptions.Creation(), TestOptions.Origin)).AuthenticatorData;

        Assert.True(e.BackupEligible);
        Assert.False(e.BackedUp);
        Assert.True(b.BackupEligible);
        Assert.True(b.BackedUp);
    }

    [Fact]
    public void MakeCredential_DefaultKey_IsNotBackupEligible()
    {
        var key = VirtualAuthenticator.Create();

        var flags = Decoded.Registration(key.MakeCredential(TestOptions.Creation(), TestOptions.Origin)).AuthenticatorData.Flags;

        Assert.Equal(AuthenticatorFlags.None, flags & (AuthenticatorFlags.BackupEligible | AuthenticatorFlags.BackupState));
    }
}
