using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Keyward.Core.Storage;

namespace Keyward.Core.Audit;

public sealed partial class AuditLog
{
    /// <summary>Appends one batch in one transaction; returns the first sequence number it was given.</summary>
    private async Task<long> AppendAsync(List<PendingAppend> batch, int count)
    {
        var cancellationToken = CancellationToken.None;
        var statements = await _connection.TakeAsync(cancellationToken).ConfigureAwait(false);
        var connection = statements.Connection;
        var failed = true;

        // Appends from every broker node run one at a time (SQLite's write lock, PostgreSQL's advisory lock), so the
        // size read below cannot go stale before commit. The connection stays open after the batch, so the SQLite
        // write gate, which BeginSerializedWriteAsync entered, is left here rather than when the connection closes.
        // The connection is given back (and, after a failure, dropped) before any caller of the batch is answered.
        try
        {
            try
            {
                await using var transaction = await _database.Dialect.BeginSerializedWriteAsync(connection, AuditSql.AppendLockKey, cancellationToken).ConfigureAwait(false);
                var first = await AppendAsync(statements, transaction, batch, count, cancellationToken).ConfigureAwait(false);
                failed = false;
                return first;
            }
            finally
            {
                _database.Dialect.ExitWrite(connection, SqliteWriteGate.TransactionOwner);
            }
        }
        finally
        {
            _connection.Return(failed);
        }
    }

    private async Task<long> AppendAsync(AuditStatements statements, System.Data.Common.DbTransaction transaction, List<PendingAppend> batch, int count, CancellationToken cancellationToken)
    {
        var connection = statements.Connection;
        var size = await statements.SizeAsync(transaction, cancellationToken).ConfigureAwait(false);
        var frontier = _frontier is { } cached && cached.Size == size
            ? cached.Clone()
            : await LoadFrontierAsync(connection, transaction, size, cancellationToken).ConfigureAwait(false);

        var events = new List<AuditEventEntity>(count);
        var nodes = new List<(MerkleNodeId, byte[])>(count + 1);
        var buffer = _leafBuffer;
        var sequence = size;
        Action<MerkleNodeId, byte[]> completed = (id, hash) => nodes.Add((id, hash));
        foreach (var pending in batch)
        {
            foreach (var record in pending.Records)
            {
                var leafHash = LeafHash(buffer, _detailsBuffer, record, sequence);
                events.Add(new AuditEventEntity
                {
                    Sequence = sequence,
                    TenantId = record.TenantId,
                    Time = record.Time,
                    Actor = record.Actor,
                    Action = record.Action,
                    Target = record.Target,
                    Outcome = record.Outcome,
                    ClientAddress = record.ClientAddress,
                    Details = record.DetailsJson,
                    LeafHash = leafHash,
                });
                frontier.Append(leafHash, completed);
                sequence++;
            }
        }

        await statements.Inserts.InsertEventsAsync(_database.Dialect, connection, transaction, events, cancellationToken).ConfigureAwait(false);
        await statements.Inserts.InsertNodesAsync(_database.Dialect, connection, transaction, nodes, cancellationToken).ConfigureAwait(false);
        if (BeforeCommit is { } hook)
        {
            await hook(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _frontier = frontier;
        return size;
    }

    // The canonical bytes of one leaf at a time; only the writer uses it.
    private readonly ArrayBufferWriter<byte> _leafBuffer = new(512);

    // The UTF-8 of one record's details JSON at a time (the canonical details bytes); only the writer uses it.
    private readonly ArrayBufferWriter<byte> _detailsBuffer = new(256);

    private static async Task<MerkleFrontier> LoadFrontierAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, long size, CancellationToken cancellationToken)
    {
        var ids = MerkleTree.RootNodes(size);
        var found = await AuditSql.ReadNodesAsync(connection, transaction, [.. ids], cancellationToken).ConfigureAwait(false);
        return MerkleFrontier.Load(size, id => found.TryGetValue(id, out var hash)
            ? hash
            : throw new InvalidOperationException($"The audit tree is missing node {id} of a tree of {size} events; the store is damaged."));
    }

    private static byte[] LeafHash(ArrayBufferWriter<byte> buffer, ArrayBufferWriter<byte> details, PreparedRecord r, long sequence)
    {
        details.ResetWrittenCount();
        details.Advance(Encoding.UTF8.GetBytes(r.DetailsJson, details.GetSpan(Encoding.UTF8.GetMaxByteCount(r.DetailsJson.Length))));
        buffer.ResetWrittenCount();
        buffer.GetSpan(1)[0] = 0x00;
        buffer.Advance(1);
        AuditCanonical.Write(buffer, sequence, r.Time, r.TenantId, r.Actor, r.Action, r.Target, r.Outcome, r.ClientAddress, details.WrittenSpan);
        return SHA256.HashData(buffer.WrittenSpan);
    }
}
