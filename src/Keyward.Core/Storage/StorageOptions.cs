namespace Keyward.Core.Storage;

/// <summary>Which database Keyward uses.</summary>
public enum StorageProvider
{
    /// <summary>Embedded SQLite in the data directory (the default; one node).</summary>
    Sqlite,
    /// <summary>PostgreSQL, for several broker nodes sharing state.</summary>
    Postgres,
}

/// <summary>Storage settings (<c>Keyward:Storage</c>).</summary>
public sealed record StorageOptions
{
    /// <summary>The provider.</summary>
    public StorageProvider Provider { get; init; } = StorageProvider.Sqlite;

    /// <summary>For PostgreSQL, the Npgsql connection string; for SQLite, optional (default: keyward.db in the data directory).</summary>
    public string? ConnectionString { get; init; }
}
