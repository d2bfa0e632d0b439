namespace Keyward.Core.Storage;

/// <summary>Which database Keyward uses.</summary>
public enum StorageProvider
{
    /// <summary>Embedded SQLite in the data directory (the default; one node).</summary>
    Sqlite,
    /// <summary>PostgreSQL, for several broker nodes sharing state.</summary>
    Postgres,
}
