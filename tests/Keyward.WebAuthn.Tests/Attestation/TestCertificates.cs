using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Keyward.WebAuthn.Tests.Attestation;

/// <summary>Test CAs and attestation certificates made on the fly, so negative tests can re-sign what they change.</summary>
internal static class TestCertificates
{
    public const string PackedSubject = "CN=Keyward Test Authenticator, OU=Authenticator Attestation, O=Keyward, C=AA";

    public static DateTimeOffset NotBefore { get; } = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset NotAfter { get; } = new(2034, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A self-signed CA certificate that holds its private key, for issuing.</summary>
    public static X509Certificate2 CreateCa(string subject = "CN=Keyward Test Attestation CA, O=Keyward, C=AA", DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore ?? NotBefore, notAfter ?? NotAfter);
    }

    /// <summary>An intermediate CA issued by <paramref name="issuer"/>, holding its private key.</summary>
    public static X509Certificate2 CreateIntermediate(X509Certificate2 issuer, string subject = "CN=Keyward Test Intermediate, O=Keyward, C=AA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var issued = request.Create(issuer, NotBefore, NotAfter, RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A certificate for <paramref name="subjectKey"/> (ECDsa or RSA) issued by <paramref name="issuer"/>, without private key.</summary>
    public static X509Certificate2 Issue(
        X509Certificate2 issuer,
        AsymmetricAlgorithm subjectKey,
        string subject,
        IEnumerable<X509Extension> extensions,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null) =>
        Issue(issuer, subjectKey, new X500DistinguishedName(subject), extensions, notBefore, notAfter);

    public static X509Certificate2 Issue(
        X509Certificate2 issuer,
        AsymmetricAlgorithm subjectKey,
        X500DistinguishedName subject,
        IEnumerable<X509Extension> extensions,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null)
    {
        var request = subjectKey switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("ECDsa or RSA", nameof(subjectKey)),
        };
        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        // The generator overload lets an EC CA issue for an RSA subject key.
        using var issuerKey = issuer.GetECDsaPrivateKey() ?? throw new ArgumentException("an EC CA with its private key", nameof(issuer));
        var generator = X509SignatureGenerator.CreateForECDsa(issuerKey);
        using var issued = request.Create(issuer.SubjectName, generator, notBefore ?? NotBefore, notAfter ?? NotAfter, RandomNumberGenerator.GetBytes(8));
        return X509CertificateLoader.LoadCertificate(issued.RawData);
    }

    public static X509Extension LeafConstraints() => new X509BasicConstraintsExtension(false, false, 0, true);

    public static X509Extension CaConstraints() => new X509BasicConstraintsExtension(true, false, 0, true);

    /// <summary>id-fido-gen-ce-aaguid: an OCTET STRING holding the AAGUID.</summary>
    public static X509Extension Aaguid(byte[] aaguid, bool critical = false)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(aaguid);
        return new X509Extension("1.3.6.1.4.1.45724.1.1.4", writer.Encode(), critical);
    }
}
