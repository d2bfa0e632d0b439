using System.Net.Sockets;
using Keyward.Core.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Keyward.Server.Tests.Cluster;

/// <summary>
/// Which provider failures answer 503 <c>storage_unavailable</c> (<see cref="StorageUnavailable"/>), which stay
/// <c>storage_busy</c> (timeouts), and which stay a 500 (a statement's own error, a corrupt file).
/// </summary>
public sealed class StorageUnavailableTests
{
    public static TheoryData<string> UnavailableStates => ["57P01", "57P02", "57P03", "53300", "53100", "08006", "08001", "28P01", "28000", "25006"];

    [Theory]
    [MemberData(nameof(UnavailableStates))]
    public void ServerRefusals_AreUnavailable(string state)
    {
        Assert.True(StorageUnavailable.Is(Postgres(state)));
        // Wrapped as EF Core wraps a failed save.
        Assert.True(StorageUnavailable.Is(new DbUpdateException("save failed", Postgres(state))));
        Assert.Equal("PostgreSQL " + state, StorageUnavailable.Describe(Postgres(state)));
    }

    [Theory]
    [InlineData("23505")] // unique_violation: the statement's own error
    [InlineData("40001")] // serialization_failure: transient, but the caller's to retry, not the database gone
    [InlineData("55P03")] // lock_not_available: storage_busy's
    [InlineData("57014")] // query_canceled: storage_busy's
    [InlineData("42P01")] // undefined_table: a bug or a schema mismatch
    public void StatementErrors_AreNot(string state)
    {
        Assert.False(StorageUnavailable.Is(Postgres(state)));
        Assert.False(StorageUnavailable.Is(new DbUpdateException("save failed", Postgres(state))));
    }

    [Fact]
    public void BrokenOrRefusedConnections_AreUnavailable()
    {
        Assert.True(StorageUnavailable.Is(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(StorageUnavailable.Is(new NpgsqlException("Exception while reading from stream", new EndOfStreamException())));
        Assert.True(StorageUnavailable.Is(new InvalidOperationException("transient failure", new NpgsqlException("reset", new IOException("Connection reset by peer")))));
        Assert.Equal("PostgreSQL connection: socket ConnectionRefused", StorageUnavailable.Describe(new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused))));
    }

    [Fact]
    public void Timeouts_StayStorageBusy_NotUnavailable()
    {
        // A command timeout, a connect timeout and an exhausted pool all come as one NpgsqlException over a TimeoutException.
        var timeout = new NpgsqlException("The connection pool has been exhausted", new TimeoutException());
        Assert.True(StorageBusy.Is(timeout));
        Assert.False(StorageUnavailable.Is(timeout));
    }

    [Theory]
    [InlineData(14, true)] // SQLITE_CANTOPEN
    [InlineData(10, true)] // SQLITE_IOERR
    [InlineData(13, true)] // SQLITE_FULL
    [InlineData(8, true)] // SQLITE_READONLY
    [InlineData(11, false)] // SQLITE_CORRUPT: no retry fixes it; stays a 500 with its stack trace in the log
    [InlineData(26, false)] // SQLITE_NOTADB
    [InlineData(19, false)] // SQLITE_CONSTRAINT
    [InlineData(5, false)] // SQLITE_BUSY: storage_busy's
    public void SqliteCodes(int code, bool unavailable) => Assert.Equal(unavailable, StorageUnavailable.Is(new SqliteException("sqlite", code)));

    [Fact]
    public void Describe_NamesNoMessage()
    {
        // A provider message can name a host, a file or SQL: the description carries types and codes only.
        var described = StorageUnavailable.Describe(new NpgsqlException("Failed to connect to db.internal:5432 Password=x", new SocketException((int)SocketError.HostUnreachable)));
        Assert.NotNull(described);
        Assert.DoesNotContain("db.internal", described, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", described, StringComparison.Ordinal);
        Assert.Null(StorageUnavailable.Describe(new InvalidOperationException("no")));
        Assert.Null(StorageUnavailable.Describe(null));
    }

    // A socket error counts only inside Npgsql's or SQLite's exception. Kestrel's own ConnectionResetException (a client that
    // reset its connection: the socket transport wraps the SocketException) is not the database, and must not be logged at
    // Error as "The database could not be reached or used (socket ConnectionReset)".
    [Fact]
    public void ClientConnectionReset_IsNotUnavailable() =>
        Assert.False(StorageUnavailable.Is(new ConnectionResetException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset))));

    // Nor is a bare socket error, or an outbound HTTP call's refused connection: neither may answer storage_unavailable.
    [Fact]
    public void BareOrOutboundSocketErrors_AreNotUnavailable()
    {
        Assert.False(StorageUnavailable.Is(new SocketException((int)SocketError.ConnectionReset)));
        Assert.False(StorageUnavailable.Is(new HttpRequestException("upstream refused", new SocketException((int)SocketError.ConnectionRefused))));
    }

    // Inside Npgsql's exception, a socket error nested deeper than Npgsql's transient marking looks is still the database's.
    [Fact]
    public void SocketErrorNestedInsideNpgsql_IsUnavailable() =>
        Assert.Equal("socket ConnectionReset", StorageUnavailable.Describe(new NpgsqlException("broken", new InvalidOperationException("read", new SocketException((int)SocketError.ConnectionReset)))));

    // 08P01 protocol_violation (class 08) is a client/pooler incompatibility, not a database that is down: a retry
    // after Retry-After: 5 meets the same error.
    [Fact]
    public void ProtocolViolation_IsNotARetryableOutage() =>
        Assert.False(StorageUnavailable.Is(new PostgresException("message", "ERROR", "ERROR", "08P01")));

    // A constraint violation wrapped by Npgsql's transient wrapper is still the statement's own error (a 500).
    [Fact]
    public void ConstraintViolationInsideAnNpgsqlWrapper_IsNotUnavailable() =>
        Assert.False(StorageUnavailable.Is(new NpgsqlException("wrapped", new PostgresException("dup", "ERROR", "ERROR", "23505"))));

    private static PostgresException Postgres(string state) => new("message", "FATAL", "FATAL", state);
}
