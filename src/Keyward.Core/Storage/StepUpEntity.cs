namespace Keyward.Core.Storage;

/// <summary>
/// A step-up: a fresh WebAuthn assertion a session made for one purpose (and target). A window purpose is reusable
/// until it expires; a single-use purpose is deleted by the action it allows. Bound to the session: it ends with it.
/// </summary>
public sealed class StepUpEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid SessionId { get; set; }
    public Guid AccountId { get; set; }
    public Guid AuthenticatorId { get; set; }
    public required string Purpose { get; set; }

    /// <summary>What the step-up is for within its purpose (a key id), or the empty string for none.</summary>
    public required string Target { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
}
