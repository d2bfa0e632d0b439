namespace Keyward.Core.Capabilities;

/// <summary>
/// Verifies a capability token: ES256 signature against Keyward's capability keys, its own <c>typ</c> (never an
/// identity assertion's), expiry, and that its scope still stands with the nonce it was minted under. It does not
/// compare class, operation, actor or path: the endpoint that serves one data class does, against its own request.
/// </summary>
public interface ICapabilityVerifier
{
    /// <summary>Checks <paramref name="token"/>; never throws for a bad token (a refusal code instead).</summary>
    ValueTask<CapabilityCheck> VerifyAsync(string token, CancellationToken cancellationToken = default);
}
