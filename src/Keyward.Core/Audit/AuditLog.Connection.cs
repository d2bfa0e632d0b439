using Keyward.Core.Storage;

namespace Keyward.Core.Audit;

public sealed partial class AuditLog
{
    // The writer's own connection (on a pooled context, so it opens as every connection does: the SQLite write gate's
    // interceptor, NO_CKPT_ON_CLOSE), kept open with its statements from one batch to the next while appends keep
    // coming (issue 15: a context, a connection open and the statements' preparation were most of an append's bytes).
    // Only the writer takes it. Dropped after a failed batch and closed after KeptConnection.Idle without appends (on
    // the log's clock), so a connection the server closed meanwhile is not reused long after; on PostgreSQL
    // (StorageDialect.KeepsWriterConnection false) it goes back to the pool after every batch.
    private static KeptConnection<AuditStatements> WriterConnection(KeywardDatabase database, TimeProvider time) =>
        new(database.CreateContext, static connection => new AuditStatements(connection), database.Dialect.KeepsWriterConnection, time);

    /// <summary>Whether the writer holds an open connection now (for tests).</summary>
    internal bool HasWriterConnection => _connection.IsOpen;
}
