namespace Keyward.Core.Storage;

/// <summary>Well-known tenants.</summary>
public static class Tenants
{
    /// <summary>The tenant that exists from the first start and holds everything until tenancy is configured.</summary>
    public const string Default = "default";
}
