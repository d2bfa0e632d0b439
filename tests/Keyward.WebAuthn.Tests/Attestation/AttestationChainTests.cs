using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Attestation;

namespace Keyward.WebAuthn.Tests.Attestation;

public sealed class AttestationChainTests
{
    private const string SpecVector = "spec/packed-es256/registration";
    private const string AndroidVector = "py_webauthn/test_verify_registration_response_android_key::test_verify_attestation_android_key_hardware_authority";

    private static readonly DateTimeOffset Within = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AttestationChain_SpecVectorAnchor_True()
    {
        var vector = AttestationVectors.Get(SpecVector);
        var trustPath = X5c(vector);

        Assert.True(AttestationChain.IsTrusted(trustPath, vector.Anchors(), Within));
    }

    [Fact]
    public void AttestationChain_UntrustedRoot_False()
    {
        var vector = AttestationVectors.Get(SpecVector);
        using var otherRoot = TestCertificates.CreateCa();

        Assert.False(AttestationChain.IsTrusted(X5c(vector), [otherRoot], Within));
    }

    [Fact]
    public void AttestationChain_EmptyAnchors_False()
    {
        var vector = AttestationVectors.Get(SpecVector);

        Assert.False(AttestationChain.IsTrusted(X5c(vector), [], Within));
    }

    [Fact]
    public void AttestationChain_EmptyTrustPath_False()
    {
        var vector = AttestationVectors.Get(SpecVector);

        Assert.False(AttestationChain.IsTrusted([], vector.Anchors(), Within));
    }

    [Fact]
    public void AttestationChain_WithinValidity_True()
    {
        using var root = TestCertificates.CreateCa();
        using var leaf = IssueLeaf(root, notAfter: new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.True(AttestationChain.IsTrusted([leaf], [root], new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void AttestationChain_ExpiredAtVerificationTime_False()
    {
        using var root = TestCertificates.CreateCa();
        using var leaf = IssueLeaf(root, notAfter: new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.False(AttestationChain.IsTrusted([leaf], [root], new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void AttestationChain_NotYetValidAtVerificationTime_False()
    {
        using var root = TestCertificates.CreateCa();
        using var leaf = IssueLeaf(root, notAfter: new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.False(AttestationChain.IsTrusted([leaf], [root], new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void AttestationChain_RealChainAtPinnedTime_TrueAndAfterExpiry_False()
    {
        // A real Android Keystore chain (root included in x5c) whose intermediates expired in February 2025.
        var vector = AttestationVectors.Get(AndroidVector);
        var x5c = X5c(vector);
        var root = x5c[^1];

        Assert.True(AttestationChain.IsTrusted(x5c, [root], vector.VerificationTime!.Value));
        Assert.False(AttestationChain.IsTrusted(x5c, [root], new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void AttestationChain_IntermediateInTrustPath_True()
    {
        using var root = TestCertificates.CreateCa();
        using var intermediate = TestCertificates.CreateIntermediate(root);
        using var leaf = IssueLeaf(intermediate);
        using var intermediatePublic = X509CertificateLoader.LoadCertificate(intermediate.RawData);

        Assert.True(AttestationChain.IsTrusted([leaf, intermediatePublic], [root], Within));
    }

    [Fact]
    public void AttestationChain_MissingIntermediate_False()
    {
        using var root = TestCertificates.CreateCa();
        using var intermediate = TestCertificates.CreateIntermediate(root);
        using var leaf = IssueLeaf(intermediate);

        Assert.False(AttestationChain.IsTrusted([leaf], [root], Within));
    }

    [Fact]
    public void AttestationChain_LeafIsAnchor_True()
    {
        var vector = AttestationVectors.Get(SpecVector);
        var leaf = X5c(vector)[0];

        Assert.True(AttestationChain.IsTrusted([leaf], [leaf], Within));
    }

    [Fact]
    public void AttestationChain_LeafIsAnchorButExpired_False()
    {
        using var root = TestCertificates.CreateCa();
        using var leaf = IssueLeaf(root, notAfter: new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.False(AttestationChain.IsTrusted([leaf], [leaf], new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void AttestationChain_CallerCertificatesStayUsable()
    {
        using var root = TestCertificates.CreateCa();
        using var leaf = IssueLeaf(root);

        Assert.True(AttestationChain.IsTrusted([leaf], [root], Within));
        Assert.True(AttestationChain.IsTrusted([leaf], [root], Within));
        Assert.NotEmpty(leaf.RawData);
    }

    [Fact]
    public void AttestationChain_LeafIsAnchor_TrustedFromTheFirstToTheLastSecondOfItsValidity()
    {
        using var root = TestCertificates.CreateCa();
        var notBefore = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var notAfter = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var leaf = IssueLeaf(root, notAfter: notAfter);

        Assert.True(AttestationChain.IsTrusted([leaf], [leaf], notBefore));
        Assert.True(AttestationChain.IsTrusted([leaf], [leaf], notAfter));
        Assert.False(AttestationChain.IsTrusted([leaf], [leaf], notBefore.AddSeconds(-1)));
        Assert.False(AttestationChain.IsTrusted([leaf], [leaf], notAfter.AddSeconds(1)));
    }

    [Fact]
    public void AttestationChain_LeafIsTheSecondAnchor_True()
    {
        using var root = TestCertificates.CreateCa();
        using var other = TestCertificates.CreateCa("CN=Other CA");
        using var leaf = IssueLeaf(root);

        Assert.True(AttestationChain.IsTrusted([leaf], [other, leaf], Within));
    }

    [Fact]
    public void AttestationChain_SecondAnchorIssuedTheLeaf_True()
    {
        using var root = TestCertificates.CreateCa();
        using var other = TestCertificates.CreateCa("CN=Other CA");
        using var leaf = IssueLeaf(root);

        Assert.True(AttestationChain.IsTrusted([leaf], [other, root], Within));
    }

    [Fact]
    public void AttestationChain_IssuerWithoutKeyCertSign_False()
    {
        // Key usage is evaluated (only extended key usage is not): a CA key that may not sign certificates vouches for nothing.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Not a signing CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using var issuer = request.CreateSelfSigned(TestCertificates.NotBefore, TestCertificates.NotAfter);
        using var leaf = IssueLeaf(issuer);

        Assert.False(AttestationChain.IsTrusted([leaf], [issuer], Within));
    }

    [Fact]
    public void AttestationChain_NullArguments_Throw()
    {
        using var root = TestCertificates.CreateCa();

        Assert.Throws<ArgumentNullException>(() => AttestationChain.IsTrusted(null!, [root], Within));
        Assert.Throws<ArgumentNullException>(() => AttestationChain.IsTrusted([root], null!, Within));
    }

    [Fact]
    public void AttestationChain_IntermediatesAndAnchorStayUsable()
    {
        using var root = TestCertificates.CreateCa();
        using var intermediate = TestCertificates.CreateIntermediate(root);
        using var leaf = IssueLeaf(intermediate);
        using var intermediatePublic = X509CertificateLoader.LoadCertificate(intermediate.RawData);

        Assert.True(AttestationChain.IsTrusted([leaf, intermediatePublic], [root], Within));
        Assert.True(AttestationChain.IsTrusted([leaf, intermediatePublic], [root], Within));
        Assert.NotEmpty(intermediatePublic.RawData);
        Assert.NotEmpty(root.RawData);
        Assert.NotNull(root.GetECDsaPublicKey());
    }

    private static X509Certificate2 IssueLeaf(X509Certificate2 issuer, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return TestCertificates.Issue(issuer, key, TestCertificates.PackedSubject, [TestCertificates.LeafConstraints()], notAfter: notAfter);
    }

    private static X509Certificate2[] X5c(AttestationVectorCase vector)
    {
        Assert.True(vector.Statement.TryGet("x5c", out var x5c));
        return [.. x5c.Items.Select(i => X509CertificateLoader.LoadCertificate(i.Bytes))];
    }
}
