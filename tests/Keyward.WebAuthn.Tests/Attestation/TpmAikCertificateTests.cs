using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Attestation;

namespace Keyward.WebAuthn.Tests.Attestation;

/// <summary>
/// The TPM AIK certificate rules (WebAuthn L3 §8.3.1), one at a time on a certificate that meets all the others:
/// empty subject, critical SAN with the TPM manufacturer ("id:" and eight hex digits), model and version,
/// tcg-kp-AIKCertificate among the extended key usages, not a CA.
/// </summary>
public sealed class TpmAikCertificateTests : IDisposable
{
    private const string Manufacturer = "id:FFFFF1D0";
    private static readonly X500DistinguishedName EmptySubject = new([0x30, 0x00]);

    private readonly X509Certificate2 _ca = TestCertificates.CreateCa();
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    [Fact]
    public void Check_EveryRequirementMet_Null()
    {
        using var aik = Aik();

        Assert.Null(TpmAikCertificate.Check(aik));
    }

    [Fact]
    public void Check_SubjectNotEmpty_Failure()
    {
        using var aik = TestCertificates.Issue(_ca, _key, "CN=AIK", [San(), TpmStatementBuilder.AikUsage(), TestCertificates.LeafConstraints()]);

        AssertFailure(aik, "subject must be empty");
    }

    [Fact]
    public void Check_NoSubjectAltName_Failure()
    {
        using var aik = TestCertificates.Issue(_ca, _key, EmptySubject, [TpmStatementBuilder.AikUsage(), TestCertificates.LeafConstraints()]);

        AssertFailure(aik, "critical subject alternative name");
    }

    [Fact]
    public void Check_NoExtendedKeyUsage_Failure()
    {
        using var aik = TestCertificates.Issue(_ca, _key, EmptySubject, [San(), TestCertificates.LeafConstraints()]);

        AssertFailure(aik, "extended key usage");
    }

    [Fact]
    public void Check_AikUsageAmongOtherUsages_Null()
    {
        var usages = new OidCollection { new("1.3.6.1.5.5.7.3.2"), new("2.23.133.8.3"), new("1.3.6.1.5.5.7.3.1") };
        using var aik = TestCertificates.Issue(_ca, _key, EmptySubject, [San(), new X509EnhancedKeyUsageExtension(usages, false), TestCertificates.LeafConstraints()]);

        Assert.Null(TpmAikCertificate.Check(aik));
    }

    [Fact]
    public void Check_AikUsageListedTwice_Null()
    {
        var usages = new OidCollection { new("2.23.133.8.3"), new("2.23.133.8.3") };
        using var aik = TestCertificates.Issue(_ca, _key, EmptySubject, [San(), new X509EnhancedKeyUsageExtension(usages, false), TestCertificates.LeafConstraints()]);

        Assert.Null(TpmAikCertificate.Check(aik));
    }

    [Fact]
    public void Check_ExtendedKeyUsageWithoutAikUsage_Failure()
    {
        var usages = new OidCollection { new("1.3.6.1.5.5.7.3.2"), new("2.23.133.8.2") };
        using var aik = TestCertificates.Issue(_ca, _key, EmptySubject, [San(), new X509EnhancedKeyUsageExtension(usages, false), TestCertificates.LeafConstraints()]);

        AssertFailure(aik, "extended key usage");
    }

    [Fact]
    public void Check_MalformedExtendedKeyUsage_Failure()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("2.23.133.8.3");
        }

        byte[] trailing = [.. writer.Encode(), 0x05, 0x00];
        using var aik = TestCertificates.Issue(_ca, _key, EmptySubject, [San(), new X509Extension("2.5.29.37", trailing, false), TestCertificates.LeafConstraints()]);

        AssertFailure(aik, "extended key usage");
    }

    [Fact]
    public void Check_CaCertificate_Failure()
    {
        using var aik = TestCertificates.Issue(_ca, _key, EmptySubject, [San(), TpmStatementBuilder.AikUsage(), TestCertificates.CaConstraints()]);

        AssertFailure(aik, "CA certificate");
    }

    [Fact]
    public void Check_OtherGeneralNamesBeforeTheDirectoryName_AreSkipped()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, "tpm.example.org", new Asn1Tag(TagClass.ContextSpecific, 2));
            WriteDirectoryName(writer, (ManufacturerOid, Manufacturer), (ModelOid, "model"), (VersionOid, "id:1"));
        }

        using var aik = WithSan(writer.Encode());

        Assert.Null(TpmAikCertificate.Check(aik));
    }

    [Fact]
    public void Check_NoDirectoryName_Failure()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, "tpm.example.org", new Asn1Tag(TagClass.ContextSpecific, 2));
        }

        using var aik = WithSan(writer.Encode());

        AssertFailure(aik, "manufacturer");
    }

    [Fact]
    public void Check_AttributesInSeparateRdns_AreAllRead()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        using (writer.PushSequence())
        {
            // One RDN holding two attributes, then a second RDN.
            using (writer.PushSetOf())
            {
                WriteAttribute(writer, ManufacturerOid, Manufacturer);
                WriteAttribute(writer, ModelOid, "model");
            }

            using (writer.PushSetOf())
            {
                WriteAttribute(writer, VersionOid, "id:1");
            }
        }

        using var aik = WithSan(writer.Encode());

        Assert.Null(TpmAikCertificate.Check(aik));
    }

    [Theory]
    [InlineData("id:FFFFF1D00", "model", "id:1", "manufacturer")]   // twelve characters
    [InlineData("id:FFFFF1D", "model", "id:1", "manufacturer")]     // ten
    [InlineData("ID:FFFFF1D0", "model", "id:1", "manufacturer")]
    [InlineData("id:FFFFF1DG", "model", "id:1", "manufacturer")]
    [InlineData("id:FFFFF1D0", "", "id:1", "model or version")]
    [InlineData("id:FFFFF1D0", "model", "", "model or version")]
    public void Check_BadTpmIdentity_Failure(string manufacturer, string model, string version, string rule)
    {
        using var aik = WithSan(SanValue((ManufacturerOid, manufacturer), (ModelOid, model), (VersionOid, version)));

        AssertFailure(aik, rule);
    }

    [Fact]
    public void Check_LowerCaseHexManufacturer_Null()
    {
        using var aik = WithSan(SanValue((ManufacturerOid, "id:fffff1d0"), (ModelOid, "m"), (VersionOid, "v")));

        Assert.Null(TpmAikCertificate.Check(aik));
    }

    [Fact]
    public void Check_SanWithDataAfterTheSequence_Failure()
    {
        using var aik = WithSan([.. SanValue((ManufacturerOid, Manufacturer), (ModelOid, "model"), (VersionOid, "id:1")), 0x05, 0x00]);

        AssertFailure(aik, "malformed");
    }

    [Fact]
    public void Check_AttributeValueNotACharacterString_Failure()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        using (writer.PushSequence())
        {
            WriteRdn(writer, ManufacturerOid, Manufacturer);
            WriteRdn(writer, ModelOid, "model");
            using (writer.PushSetOf())
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(VersionOid);
                writer.WriteInteger(1);
            }
        }

        using var aik = WithSan(writer.Encode());

        AssertFailure(aik, "malformed");
    }

    [Fact]
    public void Check_AttributeWithTrailingData_Failure()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        using (writer.PushSequence())
        {
            WriteRdn(writer, ManufacturerOid, Manufacturer);
            WriteRdn(writer, ModelOid, "model");
            using (writer.PushSetOf())
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(VersionOid);
                writer.WriteCharacterString(UniversalTagNumber.UTF8String, "id:1");
                writer.WriteNull();
            }
        }

        using var aik = WithSan(writer.Encode());

        AssertFailure(aik, "malformed");
    }

    [Fact]
    public void Check_DirectoryNameWithDataAfterTheName_Failure()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        {
            using (writer.PushSequence())
            {
                WriteRdn(writer, ManufacturerOid, Manufacturer);
                WriteRdn(writer, ModelOid, "model");
                WriteRdn(writer, VersionOid, "id:1");
            }

            writer.WriteNull();
        }

        using var aik = WithSan(writer.Encode());

        AssertFailure(aik, "malformed");
    }

    [Fact]
    public void Check_ContextTaggedAttributeValue_Failure()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        using (writer.PushSequence())
        {
            using (writer.PushSetOf())
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(ManufacturerOid);
                writer.WriteCharacterString(UniversalTagNumber.UTF8String, Manufacturer, new Asn1Tag(TagClass.ContextSpecific, 0));
            }

            WriteRdn(writer, ModelOid, "model");
            WriteRdn(writer, VersionOid, "id:1");
        }

        using var aik = WithSan(writer.Encode());

        AssertFailure(aik, "malformed");
    }

    public void Dispose()
    {
        _ca.Dispose();
        _key.Dispose();
    }

    private const string ManufacturerOid = "2.23.133.2.1";
    private const string ModelOid = "2.23.133.2.2";
    private const string VersionOid = "2.23.133.2.3";

    private static X509Extension San() => TpmStatementBuilder.TpmSubjectAltName(Manufacturer, "model", "id:1");

    private X509Certificate2 Aik() =>
        TestCertificates.Issue(_ca, _key, EmptySubject, [San(), TpmStatementBuilder.AikUsage(), TestCertificates.LeafConstraints()]);

    private X509Certificate2 WithSan(byte[] value) =>
        TestCertificates.Issue(_ca, _key, EmptySubject, [new X509Extension("2.5.29.17", value, true), TpmStatementBuilder.AikUsage(), TestCertificates.LeafConstraints()]);

    private static byte[] SanValue(params (string Oid, string Value)[] attributes)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WriteDirectoryName(writer, attributes);
        }

        return writer.Encode();
    }

    private static void WriteDirectoryName(AsnWriter writer, params (string Oid, string Value)[] attributes)
    {
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        using (writer.PushSequence())
        {
            foreach (var (oid, value) in attributes)
            {
                WriteRdn(writer, oid, value);
            }
        }
    }

    private static void WriteRdn(AsnWriter writer, string oid, string value)
    {
        using (writer.PushSetOf())
        {
            WriteAttribute(writer, oid, value);
        }
    }

    private static void WriteAttribute(AsnWriter writer, string oid, string value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
        }
    }

    // The detail names the rule, so each test shows it fails for the reason it states.
    private static void AssertFailure(X509Certificate2 aik, string rule)
    {
        var failure = TpmAikCertificate.Check(aik);
        Assert.Equal(WebAuthnErrorCode.AttestationInvalid, failure?.Error);
        Assert.Contains(rule, failure!.Detail, StringComparison.Ordinal);
    }
}
