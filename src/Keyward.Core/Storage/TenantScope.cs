namespace Keyward.Core.Storage;

/// <summary>A row that belongs to one tenant.</summary>
public interface ITenantOwned
{
    /// <summary>The tenant the row belongs to.</summary>
    string TenantId { get; }
}

/// <summary>
/// The one tenancy helper: which tenant a caller acts in, and the filter every query of tenant-owned rows goes through.
/// Today every caller acts in <see cref="Tenants.Default"/>; enforcing isolation later changes <see cref="Of"/> (and
/// where the tenant comes from), not the schema or the queries.
/// </summary>
public static class TenantScope
{
    /// <summary>The tenant of a caller: an account id, or null for a caller without one. Today always the default.</summary>
    public static string Of(Guid? accountId)
    {
        _ = accountId;
        return Tenants.Default;
    }

    /// <summary>Only the rows of <paramref name="tenantId"/>.</summary>
    public static IQueryable<T> InTenant<T>(this IQueryable<T> rows, string tenantId)
        where T : class, ITenantOwned
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        return rows.Where(r => r.TenantId == tenantId);
    }
}
