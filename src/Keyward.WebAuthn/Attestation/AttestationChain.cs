using System.Security.Cryptography.X509Certificates;

namespace Keyward.WebAuthn.Attestation;

/// <summary>Validates an attestation trust path against the relying party's trust anchors (WebAuthn L3 §7.1 step 24).</summary>
internal static class AttestationChain
{
    /// <summary>True when <paramref name="trustPath"/> (leaf first) chains to one of <paramref name="anchors"/> at <paramref name="verificationTime"/>.</summary>
    /// <remarks>
    /// Only the configured anchors are roots (no system store), the rest of the trust path serves as intermediates,
    /// revocation is not checked (attestation CAs rarely publish it and the check would make registration depend on
    /// the network), and extended key usage is ignored (attestation certificates carry vendor-specific EKUs such as
    /// tcg-kp-AIKCertificate).
    /// </remarks>
    public static bool IsTrusted(IReadOnlyList<X509Certificate2> trustPath, IReadOnlyList<X509Certificate2> anchors, DateTimeOffset verificationTime)
    {
        ArgumentNullException.ThrowIfNull(trustPath);
        ArgumentNullException.ThrowIfNull(anchors);
        if (trustPath.Count == 0 || anchors.Count == 0)
        {
            return false;
        }

        var leaf = trustPath[0];
        var time = verificationTime.UtcDateTime;
        foreach (var anchor in anchors)
        {
            // A leaf that is itself an anchor is trusted, within its validity period like any anchor in a chain.
            if (anchor.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
            {
                return leaf.NotBefore.ToUniversalTime() <= time && time <= leaf.NotAfter.ToUniversalTime();
            }
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(anchors.ToArray());
        policy.ExtraStore.AddRange(trustPath.Skip(1).ToArray());
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = time;
        policy.VerificationTimeIgnored = false;
        // No ApplicationPolicy, so extended key usage is not evaluated. Wrong key usage is NOT ignored: a CA
        // without keyCertSign must not vouch for an attestation certificate.
        policy.VerificationFlags = X509VerificationFlags.NoFlag;

        try
        {
            var built = chain.Build(leaf);
            var clean = built && chain.ChainStatus.All(s => s.Status == X509ChainStatusFlags.NoError);
            foreach (var element in chain.ChainElements)
            {
                // Dispose the copies the chain made, never the caller's own instances.
                if (!trustPath.Any(c => ReferenceEquals(c, element.Certificate)) && !anchors.Any(c => ReferenceEquals(c, element.Certificate)))
                {
                    element.Certificate.Dispose();
                }
            }

            return clean;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}
