namespace Keyward.Core.Capabilities;

/// <summary>The audit actions of actors, scopes and capabilities (docs/capabilities.md). Never a key or token in an event.</summary>
public static class CapabilityAuditActions
{
    public const string ActorCreated = "actor.created";
    public const string ActorRevoked = "actor.revoked";
    public const string ActorKeyRefused = "actor.key_refused";
    public const string ScopeProposed = "scope.proposed";
    public const string ScopeGranted = "scope.granted";
    public const string ScopeWidened = "scope.widened";
    public const string ScopeRevoked = "scope.revoked";
    public const string CapabilityMinted = "capability.minted";
    public const string CapabilityRefused = "capability.refused";
}
