using System.Net.Sockets;
using Keyward.Core.Storage;
using Microsoft.AspNetCore.Connections;
using Npgsql;

namespace Keyward.Server.Tests.Cluster;

// review15: probes of the 503 storage_unavailable mapping. Failing tests are findings' proofs (/work/wt/review15-report.md).
public sealed class StorageUnavailableReview15Tests
{
    // FAILS: any SocketException anywhere in the chain is "the database", including Kestrel's own ConnectionResetException
    // (a client that reset its connection: Kestrel's socket transport wraps the SocketException). Such an exception reaching
    // HttpErrorsMiddleware is logged at Error as "The database could not be reached or used (socket ConnectionReset)".
    [Fact]
    public void Review15_ClientConnectionReset_IsNotStorageUnavailable() =>
        Assert.False(StorageUnavailable.Is(new ConnectionResetException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset))));

    // FAILS: an outbound HTTP call's refused connection (not the database) would also answer storage_unavailable.
    [Fact]
    public void Review15_OutboundHttpRefused_IsNotStorageUnavailable() =>
        Assert.False(StorageUnavailable.Is(new HttpRequestException("upstream refused", new SocketException((int)SocketError.ConnectionRefused))));

    // FAILS: 08P01 protocol_violation (class 08) is a client/pooler incompatibility, not a database that is down: a retry
    // after Retry-After: 5 meets the same error.
    [Fact]
    public void Review15_ProtocolViolation_IsNotARetryableOutage() =>
        Assert.False(StorageUnavailable.Is(new PostgresException("message", "ERROR", "ERROR", "08P01")));

    // Passes: a constraint violation wrapped by Npgsql's transient wrapper is still the statement's own error (a 500).
    [Fact]
    public void Review15_ConstraintViolationInsideAnNpgsqlWrapper_IsNotUnavailable() =>
        Assert.False(StorageUnavailable.Is(new NpgsqlException("wrapped", new PostgresException("dup", "ERROR", "ERROR", "23505"))));
}
