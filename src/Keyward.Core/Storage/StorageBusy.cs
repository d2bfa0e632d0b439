using Microsoft.Data.Sqlite;
using Npgsql;

namespace Keyward.Core.Storage;

/// <summary>
/// Recognizes the providers' "the database is locked or did not answer in time" failures, which the broker answers
/// with 503 <c>storage_busy</c> and Retry-After rather than an empty 500.
/// </summary>
public static class StorageBusy
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    /// <summary>True when <paramref name="exception"/> or one of its inner exceptions is a lock or timeout failure.</summary>
    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // SQLITE_BUSY / SQLITE_LOCKED, and their extended codes (the primary code is the low byte).
                case SqliteException sqlite when (sqlite.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked:
                // lock_not_available (lock_timeout), query_canceled (statement_timeout).
                case PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled }:
                // Npgsql's own command timeout.
                case NpgsqlException { InnerException: TimeoutException }:
                    return true;
            }
        }

        return false;
    }
}
