using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn;

/// <summary>
/// The relying party's fixed settings: who it is, which origins it serves, and the policies it applies.
/// Immutable; call <see cref="Validate"/> (the <see cref="RelyingParty"/> constructor does) to collect every error at once.
/// </summary>
public sealed record RelyingPartyPolicy
{
    /// <summary>The RP ID, a registrable domain suffix of the origins (e.g. <c>example.org</c>).</summary>
    public required string RpId { get; init; }

    /// <summary>A human-readable name for the relying party, shown by some authenticators.</summary>
    public string RpName { get; init; } = "Keyward";

    /// <summary>Exact origins (scheme, host and port) that may run ceremonies.</summary>
    public required IReadOnlyList<string> Origins { get; init; }

    /// <summary>Accept ceremonies from cross-origin iframes (clientData.crossOrigin = true).</summary>
    public bool AllowCrossOrigin { get; init; }

    /// <summary>Top-level origins allowed to embed a ceremony (clientData.topOrigin).</summary>
    public IReadOnlyList<string> AllowedTopOrigins { get; init; } = [];

    /// <summary>What to do when the signature counter does not increase.</summary>
    public SignCountPolicy SignCount { get; init; } = SignCountPolicy.Reject;

    /// <summary>Whether attestation must chain to a trust anchor.</summary>
    public AttestationTrustPolicy AttestationTrust { get; init; } = AttestationTrustPolicy.Report;

    /// <summary>Attestation root certificates.</summary>
    public IReadOnlyList<X509Certificate2> TrustAnchors { get; init; } = [];

    /// <summary>How binary members of responses are decoded.</summary>
    public Base64Policy Base64 { get; init; } = Base64Policy.Strict;

    /// <summary>Algorithms offered at registration, in order of preference.</summary>
    public IReadOnlyList<CoseAlgorithm> Algorithms { get; init; } = [CoseAlgorithm.ES256, CoseAlgorithm.EdDSA, CoseAlgorithm.RS256];

    /// <summary>Challenge length in bytes (at least 16; WebAuthn L3 §13.4.3 recommends 16 or more, Keyward 32).</summary>
    public int ChallengeLength { get; init; } = 32;

    /// <summary>Ceremony timeout advertised to the client.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Accept RS1 (RSA with SHA-1) credential keys, as some early Windows Hello TPMs made. SHA-1 collisions are
    /// practical, so this is off by default and exists only for estates that still hold such keys.
    /// </summary>
    public bool DangerousAllowSha1 { get; init; }

    /// <summary>Largest attestationObject accepted, in bytes.</summary>
    public int MaxAttestationObjectLength { get; init; } = 64 * 1024;

    /// <summary>Returns every problem with the policy, each saying how to fix it; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(RpId) || RpId.Contains("://", StringComparison.Ordinal) || RpId.Contains('/', StringComparison.Ordinal))
        {
            errors.Add("RpId must be a bare domain such as \"example.org\" (no scheme, port or path).");
        }

        if (Origins is null || Origins.Count == 0)
        {
            errors.Add("Origins must list at least one origin, such as \"https://example.org\".");
        }
        else
        {
            foreach (var origin in Origins)
            {
                if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || origin.EndsWith('/'))
                {
                    errors.Add($"Origin \"{origin}\" must be scheme://host[:port] with no path or trailing slash.");
                }
            }
        }

        if (ChallengeLength is < 16 or > 1024)
        {
            errors.Add("ChallengeLength must be between 16 and 1024 bytes (32 recommended).");
        }

        if (Algorithms is null || Algorithms.Count == 0)
        {
            errors.Add("Algorithms must offer at least one algorithm (ES256 recommended).");
        }
        else if (Algorithms.Contains(CoseAlgorithm.RS1) && !DangerousAllowSha1)
        {
            errors.Add("Algorithms offers RS1 (SHA-1): remove it, or set DangerousAllowSha1 if legacy keys must register.");
        }

        if (AttestationTrust == AttestationTrustPolicy.RequireTrusted && (TrustAnchors is null || TrustAnchors.Count == 0))
        {
            errors.Add("AttestationTrust RequireTrusted needs at least one TrustAnchors certificate.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add("Timeout must be positive.");
        }

        if (MaxAttestationObjectLength < 1024)
        {
            errors.Add("MaxAttestationObjectLength must be at least 1024 bytes.");
        }

        return errors;
    }
}
