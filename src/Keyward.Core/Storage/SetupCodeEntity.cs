namespace Keyward.Core.Storage;

/// <summary>The first-start setup code, stored as its hash.</summary>
public sealed class SetupCodeEntity
{
    public Guid Id { get; set; }
    public required byte[] CodeHash { get; set; }
    public int UsesLeft { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
}
