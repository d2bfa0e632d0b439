using System.Net.Sockets;
using Keyward.Core.Storage;
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
        Assert.True(StorageUnavailable.Is(new SocketException((int)SocketError.ConnectionReset)));
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

    private static PostgresException Postgres(string state) => new("message", "FATAL", "FATAL", state);
}
