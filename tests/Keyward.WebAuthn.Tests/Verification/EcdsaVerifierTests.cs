using System.Security.Cryptography;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// The ES256 verifier lends its imported instances one caller at a time: concurrent verifications all give the right
/// answer, a wrong signature fails on every instance, and no more than <see cref="EcdsaVerifier.Slots"/> stay idle.
/// </summary>
public sealed class EcdsaVerifierTests
{
    private static readonly byte[] Data = "signed bytes"u8.ToArray();

    [Fact]
    public void Verify_ConcurrentCallers_AllVerifyAndAtMostSlotsStayIdle()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = signer.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var verifier = NewVerifier(signer);

        var results = new bool[256];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = verifier.Verify(Data, signature));

        Assert.All(results, Assert.True);
        Assert.InRange(verifier.IdleCount, 1, EcdsaVerifier.Slots);
    }

    [Fact]
    public void Verify_WrongSignatureOrData_FailsConcurrentlyToo()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = signer.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var tampered = signature.ToArray();
        tampered[^1] ^= 1;
        var verifier = NewVerifier(signer);

        var results = new bool[128];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            results[i] = i % 2 == 0 ? verifier.Verify(Data, tampered) : verifier.Verify("other bytes"u8, signature));

        Assert.All(results, Assert.False);
        Assert.True(verifier.Verify(Data, signature));
    }

    [Fact]
    public void Verify_AnotherKeysSignature_Fails()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var verifier = NewVerifier(signer);

        Assert.False(verifier.Verify(Data, other.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
    }

    private static EcdsaVerifier NewVerifier(ECDsa signer)
    {
        var parameters = signer.ExportParameters(includePrivateParameters: false);
        return new EcdsaVerifier(parameters, ECDsa.Create(parameters), HashAlgorithmName.SHA256);
    }
}
