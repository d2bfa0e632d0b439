using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Keyward.Core.Storage;

/// <summary>
/// Recognizes the providers' "the database cannot be reached or cannot be used at all" failures: PostgreSQL down,
/// refusing connections, shutting down, out of connection slots, refusing the login, a standby that cannot write, a
/// connection broken mid-request; SQLite's file that cannot be opened, read, written or grown. The broker answers them
/// with 503 <c>storage_unavailable</c> and Retry-After rather than a bare 500, and never lets a request through because
/// its credential could not be read. Timeouts (a command, a connect or the connection pool waiting too long) are
/// <see cref="StorageBusy"/>'s, checked first: Npgsql reports all of them as one timeout, so they stay 503
/// <c>storage_busy</c>. Not recognized (still a 500 with the stack trace in the log): a corrupt SQLite file
/// (SQLITE_CORRUPT, SQLITE_NOTADB), PostgreSQL's 08P01 protocol violation, constraint violations and serialization
/// failures, which no retry fixes or which mean a bug; a socket error outside Npgsql's or SQLite's exception (a client's
/// reset, an outbound HTTP call), which is not the database's.
/// </summary>
public static class StorageUnavailable
{
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    /// <summary>True when <paramref name="exception"/> or one of its inner exceptions means the database cannot be reached or used.</summary>
    public static bool Is(Exception? exception) => Describe(exception) is not null;

    /// <summary>
    /// A short description of the failure for the log: exception types and the provider's code only (never a message,
    /// which can name a host, a file or SQL, and never a connection string); null when it is not such a failure.
    /// </summary>
    public static string? Describe(Exception? exception)
    {
        // A socket error is the database's only inside the provider's own exception: a bare one (a client that reset its
        // connection, an outbound HTTP call refused) is not, and must not raise a false outage alert.
        var insideProvider = false;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres when IsUnavailable(postgres.SqlState):
                    return "PostgreSQL " + postgres.SqlState;
                case PostgresException:
                    // Any other server error is the statement's own (a constraint, a serialization failure): not this.
                    return null;
                case NpgsqlException { IsTransient: true } npgsql when npgsql.InnerException is not TimeoutException:
                    // Connection refused or reset, the server gone mid-request: Npgsql marks them transient.
                    return "PostgreSQL connection: " + (Innermost(npgsql) is SocketException refused ? "socket " + refused.SocketErrorCode : Innermost(npgsql).GetType().Name);
                case SocketException socket when insideProvider:
                    return "socket " + socket.SocketErrorCode;
                case SqliteException sqlite when (sqlite.SqliteErrorCode & 0xFF) is SqliteCantOpen or SqliteIoError or SqliteFull or SqliteReadOnly:
                    return "SQLite error " + sqlite.SqliteErrorCode + " (extended " + sqlite.SqliteExtendedErrorCode + ")";
            }

            insideProvider |= e is NpgsqlException or SqliteException;
        }

        return null;
    }

    // 08: connection exception, except 08P01 protocol_violation (a client or pooler incompatibility such as pgbouncer's
    // transaction mode, which no retry fixes: it stays a 500); 28000/28P01: the login refused; 53100 disk full; 53300 too many connections;
    // 57P01/57P02/57P03: administrator or crash shutdown, cannot connect now; 25006: a read-only standby (after a failover).
    private static bool IsUnavailable(string state) =>
        (state.StartsWith("08", StringComparison.Ordinal) && state != PostgresErrorCodes.ProtocolViolation)
        || state is PostgresErrorCodes.InvalidAuthorizationSpecification or PostgresErrorCodes.InvalidPassword
            or PostgresErrorCodes.DiskFull or PostgresErrorCodes.TooManyConnections
            or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.ReadOnlySqlTransaction;

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
