namespace Keyward.Core.Storage;

/// <summary>A tenant. One, <see cref="Tenants.Default"/>, exists from the first start.</summary>
public sealed class TenantEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public long CreatedAt { get; set; }
}
