namespace Keyward.Core.Capabilities;

/// <summary>The outcome of checking a service key: its identity, or why not.</summary>
/// <param name="Identity">The service identity the key belongs to.</param>
/// <param name="Failure">Why not.</param>
/// <param name="RefusedId">For a revoked key: whose it was (for the audit record).</param>
public readonly record struct ServiceAuthentication(ServiceIdentityInfo? Identity, ServiceKeyFailure? Failure, Guid? RefusedId = null)
{
    /// <summary>True when the key is live.</summary>
    public bool Succeeded => Identity is not null;
}
