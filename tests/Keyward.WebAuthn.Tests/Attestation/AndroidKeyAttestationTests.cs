using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Attestation;
using static Keyward.WebAuthn.Tests.Attestation.Statements;

namespace Keyward.WebAuthn.Tests.Attestation;

public sealed class AndroidKeyAttestationTests
{
    private const string SpecVector = "spec/android-key-es256/registration";
    private const string Subject = "CN=Android Keystore Key";
    private const int OriginGenerated = 0;
    private const int OriginImported = 2;
    private const int PurposeSign = 2;
    private const int PurposeVerify = 3;

    private static readonly AuthorizationList Tee = new([PurposeSign], OriginGenerated, AllApplications: false);
    private static readonly AuthorizationList Empty = new(null, null, AllApplications: false);

    private readonly AndroidKeyAttestation _format = new();

    private enum SecurityLevel
    {
        Software = 0,
        TrustedEnvironment = 1,
    }

    public static TheoryData<string> PassingVectors => AttestationVectors.Passing("android-key");

    [Theory]
    [MemberData(nameof(PassingVectors))]
    public void Verify_PassingVector_Succeeds(string id)
    {
        var vector = AttestationVectors.Get(id);

        var verdict = AttestationAssert.Succeeds(_format.Verify(vector.Input()));

        Assert.Equal(AttestationType.Basic, verdict.Type);
        if (vector.TrustAnchorsDer.Length > 0)
        {
            Assert.True(AttestationChain.IsTrusted(verdict.TrustPath, vector.Anchors(), vector.Time));
        }
    }

    [Fact]
    public void AndroidKey_TamperedSignature_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(SpecVector);

        AttestationAssert.Invalid(_format.Verify(vector.Input(vector.Statement.WithFlippedByte("sig"))));
    }

    [Fact]
    public void AndroidKey_SynthesizedAttestation_Succeeds()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Succeeds(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty, Tee))));
    }

    [Fact]
    public void AndroidKey_EmptyAuthorizationLists_Succeeds()
    {
        // Decision: lists that state no origin or purpose are accepted, as in the W3C §16 vector.
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Succeeds(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty, Empty))));
    }

    [Fact]
    public void AndroidKey_ChallengeMismatch_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, KeyDescription(Flip(credential.ClientDataHash), Empty, Tee))));
    }

    [Fact]
    public void AndroidKey_AllApplicationsInTeeEnforced_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty, Tee with { AllApplications = true }))));
    }

    [Fact]
    public void AndroidKey_AllApplicationsInSoftwareEnforced_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty with { AllApplications = true }, Tee))));
    }

    [Fact]
    public void AndroidKey_TeeOriginImported_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty, Tee with { Origin = OriginImported }))));
    }

    [Fact]
    public void AndroidKey_SoftwareOriginImported_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty with { Origin = OriginImported }, Empty))));
    }

    [Fact]
    public void AndroidKey_PurposeWithoutSign_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty, Tee with { Purposes = [PurposeVerify] }))));
    }

    [Fact]
    public void AndroidKey_SoftwareOnlyGeneratedSigningKey_Succeeds()
    {
        // Without a TEE-only policy, §8.4 uses the union of both lists.
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Succeeds(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Tee, Empty))));
    }

    [Fact]
    public void AndroidKey_CertificateKeyNotCredentialKey_ReturnsAttestationInvalid()
    {
        // The certificate's own key signs, so the signature verifies; only the key comparison refuses this.
        using var credential = TestCredential.CreateEc();
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty, Tee), otherKey)));
    }

    [Fact]
    public void AndroidKey_MissingKeyDescription_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, null)));
    }

    [Fact]
    public void AndroidKey_MalformedKeyDescription_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        var truncated = KeyDescription(credential.ClientDataHash, Empty, Tee)[..^3];

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, truncated)));
    }

    [Fact]
    public void AndroidKey_SoftwarePurposeWithoutSign_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty with { Purposes = [PurposeVerify] }, Tee))));
    }

    [Fact]
    public void AndroidKey_SignAmongOtherPurposes_Succeeds()
    {
        using var credential = TestCredential.CreateEc();

        var verdict = AttestationAssert.Succeeds(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Tee with { Purposes = [PurposeVerify, PurposeSign] }, Tee with { Purposes = [PurposeVerify, PurposeSign] }))));

        Assert.Equal(AttestationType.Basic, verdict.Type);
        Assert.Equal(Subject, Assert.Single(verdict.TrustPath).Subject);
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    public void AndroidKey_AuthorizationFieldGivenTwice_ReturnsAttestationInvalid(bool purpose, bool allApplications, bool origin)
    {
        // Each list field once is accepted (allApplications is refused on its own, so it is checked on its own).
        using var credential = TestCredential.CreateEc();
        var list = new AuthorizationList(purpose ? [PurposeSign] : null, origin ? OriginGenerated : null, allApplications);

        if (!allApplications)
        {
            AttestationAssert.Succeeds(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty, list))));
        }

        AssertMalformed(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty, list with { Times = 2 }))));
        AssertMalformed(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, list with { Times = 2 }, Empty))));
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    public void AndroidKey_DataAfterAnAuthorizationFieldValue_ReturnsAttestationInvalid(bool purpose, bool allApplications, bool origin)
    {
        using var credential = TestCredential.CreateEc();
        var list = new AuthorizationList(purpose ? [PurposeSign] : null, origin ? OriginGenerated : null, allApplications) { TrailingInField = true };

        AssertMalformed(_format.Verify(Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty, list))));
    }

    [Fact]
    public void AndroidKey_DataAfterTheKeyDescription_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AssertMalformed(_format.Verify(Synthesize(credential, [.. KeyDescription(credential.ClientDataHash, Empty, Tee), 0x05, 0x00])));
    }

    [Fact]
    public void AndroidKey_StatementNotAMap_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(credential.Input(X5c())));
    }

    [Theory]
    [InlineData("alg", WebAuthnErrorCode.AttestationInvalid)]
    [InlineData("sig", WebAuthnErrorCode.AttestationInvalid)]
    [InlineData("x5c", WebAuthnErrorCode.AttestationInvalid)]
    public void AndroidKey_MissingMember_Fails(string member, WebAuthnErrorCode expected)
    {
        using var credential = TestCredential.CreateEc();
        var input = Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty, Tee));

        AttestationAssert.Fails(expected, _format.Verify(input with { Statement = input.Statement.Without(member) }));
    }

    [Fact]
    public void AndroidKey_UnsupportedAlg_ReturnsAlgorithmUnsupported()
    {
        using var credential = TestCredential.CreateEc();
        var input = Synthesize(credential, KeyDescription(credential.ClientDataHash, Empty, Tee));

        AttestationAssert.Fails(WebAuthnErrorCode.AlgorithmUnsupported, _format.Verify(input with { Statement = input.Statement.With("alg", Integer(-65535)) }));
    }

    [Fact]
    public void AndroidKey_Format_IsAndroidKey() => Assert.Equal("android-key", _format.Format);

    private static void AssertMalformed(WebAuthnResult<AttestationVerdict> result)
    {
        AttestationAssert.Invalid(result);
        Assert.Contains("malformed", result.Failure!.Detail, StringComparison.Ordinal);
    }

    private static AttestationInput Synthesize(TestCredential credential, byte[]? keyDescription, ECDsa? certificateKey = null)
    {
        var key = certificateKey ?? credential.Ec!;
        using var ca = TestCertificates.CreateCa();
        X509Extension[] extensions = keyDescription is null ? [] : [new X509Extension("1.3.6.1.4.1.11129.2.1.17", keyDescription, false)];
        using var certificate = TestCertificates.Issue(ca, key, Subject, extensions);
        var sig = key.SignData(credential.SignedBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return credential.Input(Map(("alg", Integer(-7)), ("sig", Bytes(sig)), ("x5c", X5c(certificate.RawData))));
    }

    private static byte[] KeyDescription(byte[] challenge, AuthorizationList software, AuthorizationList tee)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(300);
            writer.WriteEnumeratedValue(SecurityLevel.TrustedEnvironment);
            writer.WriteInteger(300);
            writer.WriteEnumeratedValue(SecurityLevel.TrustedEnvironment);
            writer.WriteOctetString(challenge);
            writer.WriteOctetString([]);
            Write(writer, software);
            Write(writer, tee);
        }

        return writer.Encode();
    }

    private static void Write(AsnWriter writer, AuthorizationList list)
    {
        using (writer.PushSequence())
        {
            for (var i = 0; i < list.Times; i++)
            {
                if (list.Purposes is { } purposes)
                {
                    using (writer.PushSequence(Explicit(1)))
                    {
                        using (writer.PushSetOf())
                        {
                            foreach (var purpose in purposes)
                            {
                                writer.WriteInteger(purpose);
                            }
                        }

                        WriteTrailing(writer, list);
                    }
                }
            }

            // algorithm [2] (EC): a field the verifier skips.
            using (writer.PushSequence(Explicit(2)))
            {
                writer.WriteInteger(3);
            }

            for (var i = 0; i < list.Times; i++)
            {
                if (list.AllApplications)
                {
                    using (writer.PushSequence(Explicit(600)))
                    {
                        writer.WriteNull();
                        WriteTrailing(writer, list);
                    }
                }
            }

            for (var i = 0; i < list.Times; i++)
            {
                if (list.Origin is { } origin)
                {
                    using (writer.PushSequence(Explicit(702)))
                    {
                        writer.WriteInteger(origin);
                        WriteTrailing(writer, list);
                    }
                }
            }
        }
    }

    private static void WriteTrailing(AsnWriter writer, AuthorizationList list)
    {
        if (list.TrailingInField)
        {
            writer.WriteNull();
        }
    }

    private static Asn1Tag Explicit(int tag) => new(TagClass.ContextSpecific, tag, isConstructed: true);

    private sealed record AuthorizationList(int[]? Purposes, int? Origin, bool AllApplications)
    {
        /// <summary>Each field written this many times (a field given twice is malformed).</summary>
        public int Times { get; init; } = 1;

        /// <summary>A NULL written inside each field's explicit tag, after its value.</summary>
        public bool TrailingInField { get; init; }
    }
}
