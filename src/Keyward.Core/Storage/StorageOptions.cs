namespace Keyward.Core.Storage;

/// <summary>Storage settings (<c>Keyward:Storage</c>).</summary>
public sealed record StorageOptions
{
    /// <summary>The provider.</summary>
    public StorageProvider Provider { get; init; } = StorageProvider.Sqlite;

    /// <summary>For PostgreSQL, the Npgsql connection string; for SQLite, optional (default: keyward.db in the data directory).</summary>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// How long a statement waits for a database lock held by someone else (SQLite's write lock, or the whole file
    /// under <c>BEGIN EXCLUSIVE</c> in another process) before the request gets 503 <c>storage_busy</c>. For SQLite it
    /// is the command timeout, rounded up to whole seconds, and it overrides a <c>Default Timeout</c> in
    /// <see cref="ConnectionString"/>. Default 5 s.
    /// </summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Provider == StorageProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add("Keyward:Storage:ConnectionString is required when Keyward:Storage:Provider is Postgres (Npgsql form, e.g. Host=db;Database=keyward;Username=keyward).");
        }

        if (BusyTimeout < TimeSpan.FromSeconds(1) || BusyTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add("Keyward:Storage:BusyTimeout must be between 00:00:01 and 00:05:00 (e.g. 00:00:05).");
        }

        return errors;
    }
}
