using System.Data.Common;
using System.Globalization;
using System.Text;
using Keyward.Core.Storage;

namespace Keyward.Core.Audit;

/// <summary>
/// The audit log's hot paths in plain ADO.NET over the context's connection, without change tracking: the same SQL
/// on SQLite and PostgreSQL (quoted identifiers, named parameters); inserts take the provider's bulk form through
/// its <see cref="StorageDialect"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "Every value is a parameter; the text is built only from fixed identifiers and parameter names.")]
internal static class AuditSql
{
    /// <summary>The key of the transaction-scoped advisory lock that serializes appends across broker nodes ("KWAUDIT1").</summary>
    public const long AppendLockKey = 0x4B57_4155_4449_5431;

    /// <summary>The key of the advisory lock under which tree heads are signed, one at a time across broker nodes ("KWSTHEAD").</summary>
    public const long TreeHeadLockKey = 0x4B57_5354_4845_4144;

    // Rows per statement where the provider sends several at once: 640 and 600 parameters.
    internal static readonly BulkInsert<AuditEventEntity> Events = new(
        "audit_events",
        ["\"Sequence\"", "\"TenantId\"", "\"Time\"", "\"Actor\"", "\"Action\"", "\"Target\"", "\"Outcome\"", "\"ClientAddress\"", "\"Details\"", "\"LeafHash\""],
        RowsPerStatement: 64,
        static (row, values) =>
        {
            values[0] = row.Sequence;
            values[1] = row.TenantId;
            values[2] = row.Time;
            values[3] = row.Actor;
            values[4] = row.Action;
            values[5] = row.Target;
            values[6] = row.Outcome;
            values[7] = row.ClientAddress;
            values[8] = row.Details;
            values[9] = row.LeafHash;
        });

    internal static readonly BulkInsert<(MerkleNodeId Id, byte[] Hash)> Nodes = new(
        "audit_nodes",
        ["\"Level\"", "\"Index\"", "\"Hash\""],
        RowsPerStatement: 200,
        static (row, values) =>
        {
            values[0] = row.Id.Level;
            values[1] = row.Id.Index;
            values[2] = row.Hash;
        });

    /// <summary>The number of events: one past the highest sequence number.</summary>
    public static async Task<long> SizeAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(connection, transaction, SizeSql);
        return Size(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A command that reads the size (<see cref="Size"/> of its scalar), for a caller that keeps it to run again.</summary>
    public static DbCommand SizeCommand(DbConnection connection) => DbCommands.Create(connection, null, SizeSql);

    /// <summary>The size from <c>MAX("Sequence")</c>: none is an empty log.</summary>
    public static long Size(object? max) => max is null or DBNull ? 0 : Convert.ToInt64(max, CultureInfo.InvariantCulture) + 1;

    private const string SizeSql = "SELECT MAX(\"Sequence\") FROM audit_events";

    /// <summary>Reads complete-subtree hashes in one query: level 0 from <c>audit_events</c>, the rest from <c>audit_nodes</c>.</summary>
    public static async Task<Dictionary<MerkleNodeId, byte[]>> ReadNodesAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<MerkleNodeId> ids, CancellationToken cancellationToken)
    {
        var found = new Dictionary<MerkleNodeId, byte[]>(ids.Count);
        if (ids.Count == 0)
        {
            return found;
        }

        await using var command = DbCommands.Create(connection, transaction, "");
        var leaves = new StringBuilder();
        var nodes = new StringBuilder();
        var n = 0;
        foreach (var id in ids)
        {
            if (id.Level == 0)
            {
                leaves.Append(leaves.Length == 0 ? "" : ",").Append("@i").Append(n);
            }
            else
            {
                nodes.Append(nodes.Length == 0 ? "" : " OR ").Append("(\"Level\" = @l").Append(n).Append(" AND \"Index\" = @i").Append(n).Append(')');
                command.AddParameter("@l" + n.ToString(CultureInfo.InvariantCulture), id.Level);
            }

            command.AddParameter("@i" + n.ToString(CultureInfo.InvariantCulture), id.Index);
            n++;
        }

        var parts = new List<string>(2);
        if (leaves.Length > 0)
        {
            parts.Add($"SELECT 0, \"Sequence\", \"LeafHash\" FROM audit_events WHERE \"Sequence\" IN ({leaves})");
        }

        if (nodes.Length > 0)
        {
            parts.Add($"SELECT \"Level\", \"Index\", \"Hash\" FROM audit_nodes WHERE {nodes}");
        }

        command.CommandText = string.Join(" UNION ALL ", parts);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = new MerkleNodeId(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
            found[id] = (byte[])reader.GetValue(2);
        }

        return found;
    }

    /// <summary>Inserts events in the provider's bulk form (<see cref="StorageDialect.InsertAsync"/>).</summary>
    public static Task InsertEventsAsync(StorageDialect dialect, DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEventEntity> rows, CancellationToken cancellationToken) =>
        dialect.InsertAsync(connection, transaction, Events, rows, cancellationToken);

    /// <summary>Inserts completed subtree hashes (level ≥ 1), as <see cref="InsertEventsAsync"/> does events.</summary>
    public static Task InsertNodesAsync(StorageDialect dialect, DbConnection connection, DbTransaction transaction, IReadOnlyList<(MerkleNodeId Id, byte[] Hash)> rows, CancellationToken cancellationToken) =>
        dialect.InsertAsync(connection, transaction, Nodes, rows, cancellationToken);
}

/// <summary>
/// The append's INSERTs for a small batch (up to <see cref="MaxRows"/> rows per table, the usual one: a sign-in appends
/// two events), one multi-row statement per table and row count, built once and kept with the writer's connection
/// (on SQLite, prepared once). A larger batch goes through <see cref="StorageDialect.InsertAsync"/>, whose statements
/// it pays for once over many rows. Values are bound exactly as there (the same <see cref="BulkInsert{T}"/> values,
/// through <see cref="DbCommands.AddParameter"/>), so the rows stored are the same.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "Every value is a parameter; the text is built only from fixed identifiers and parameter names.")]
internal sealed class AuditInserts : IDisposable
{
    /// <summary>The largest row count kept as a statement of its own.</summary>
    public const int MaxRows = 8;

    private readonly DbCommand?[] _events = new DbCommand?[MaxRows + 1];
    private readonly DbCommand?[] _nodes = new DbCommand?[MaxRows + 1];
    private readonly object?[] _values = new object?[16];

    /// <summary>Inserts events, as <see cref="AuditSql.InsertEventsAsync"/> does.</summary>
    public Task InsertEventsAsync(StorageDialect dialect, DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEventEntity> rows, CancellationToken cancellationToken) =>
        rows.Count > MaxRows
            ? AuditSql.InsertEventsAsync(dialect, connection, transaction, rows, cancellationToken)
            : RunAsync(_events, AuditSql.Events, connection, transaction, rows, cancellationToken);

    /// <summary>Inserts subtree hashes, as <see cref="AuditSql.InsertNodesAsync"/> does.</summary>
    public Task InsertNodesAsync(StorageDialect dialect, DbConnection connection, DbTransaction transaction, IReadOnlyList<(MerkleNodeId Id, byte[] Hash)> rows, CancellationToken cancellationToken) =>
        rows.Count > MaxRows
            ? AuditSql.InsertNodesAsync(dialect, connection, transaction, rows, cancellationToken)
            : RunAsync(_nodes, AuditSql.Nodes, connection, transaction, rows, cancellationToken);

    /// <summary>Disposes the kept statements (before their connection closes).</summary>
    public void Dispose()
    {
        foreach (var command in _events.Concat(_nodes))
        {
            command?.Dispose();
        }

        Array.Clear(_events);
        Array.Clear(_nodes);
    }

    private async Task RunAsync<T>(DbCommand?[] kept, BulkInsert<T> insert, DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var columns = insert.Columns.Count;
        var command = kept[rows.Count] ??= Create(connection, insert, rows.Count);
        command.Transaction = transaction;
        for (var r = 0; r < rows.Count; r++)
        {
            insert.Values(rows[r], _values);
            for (var c = 0; c < columns; c++)
            {
                command.Parameters[(r * columns) + c].Value = _values[c] ?? DBNull.Value;
            }
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Create<T>(DbConnection connection, BulkInsert<T> insert, int rows)
    {
        var command = DbCommands.Create(connection, null, "");
        var sql = new StringBuilder(insert.Head);
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ",(");
            for (var c = 0; c < insert.Columns.Count; c++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"@r{r}_{c}");
                sql.Append(c == 0 ? "" : ",").Append(name);
                command.AddParameter(name, null);
            }

            sql.Append(')');
        }

        command.CommandText = sql.ToString();
        return command;
    }
}
