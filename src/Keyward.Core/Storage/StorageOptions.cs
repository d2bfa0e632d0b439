namespace Keyward.Core.Storage;

/// <summary>Storage settings (<c>Keyward:Storage</c>).</summary>
public sealed record StorageOptions
{
    /// <summary>The provider.</summary>
    public StorageProvider Provider { get; init; } = StorageProvider.Sqlite;

    /// <summary>For PostgreSQL, the Npgsql connection string; for SQLite, optional (default: keyward.db in the data directory).</summary>
    public string? ConnectionString { get; init; }
}
