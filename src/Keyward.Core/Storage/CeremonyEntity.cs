namespace Keyward.Core.Storage;

/// <summary>The server half of a WebAuthn ceremony between options and response; consumed exactly once.</summary>
public sealed class CeremonyEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Kind { get; set; }
    public required byte[] Challenge { get; set; }
    public required string State { get; set; }
    public long ExpiresAt { get; set; }
}
