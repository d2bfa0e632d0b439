namespace Keyward.Core.Storage;

/// <summary>A person who signs in with one or more authenticators.</summary>
public sealed class AccountEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }
    public required byte[] UserHandle { get; set; }
    public long CreatedAt { get; set; }

    /// <summary>When an admin disabled the account (Unix ms), or null while it may sign in.</summary>
    public long? DisabledAt { get; set; }
}
