namespace Keyward.Core.Storage;

/// <summary>
/// A setup code, stored as its hash: the first-start code (no account) or a break-glass code that registers a new key for
/// an existing account (<c>keyward admin recover</c>).
/// </summary>
public sealed class SetupCodeEntity
{
    public Guid Id { get; set; }
    public required byte[] CodeHash { get; set; }
    public int UsesLeft { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
    public Guid? AccountId { get; set; }
}
