using System.Data.Common;
using System.Globalization;
using System.Text;
using Keyward.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Keyward.Core.Audit;

/// <summary>
/// The audit log's hot paths in plain ADO.NET over the context's connection: the same SQL on SQLite and PostgreSQL
/// (quoted identifiers, named parameters, multi-row inserts), without change tracking.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "Every value is a parameter; the text is built only from fixed identifiers and parameter names.")]
internal static class AuditSql
{
    /// <summary>The key of the transaction-scoped advisory lock that serializes appends across broker nodes ("KWAUDIT1").</summary>
    public const long AppendLockKey = 0x4B57_4155_4449_5431;

    private const int EventRowsPerStatement = 64;
    private const int NodeRowsPerStatement = 200;

    /// <summary>The number of events: one past the highest sequence number.</summary>
    public static async Task<long> SizeAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT MAX(\"Sequence\") FROM audit_events");
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture) + 1;
    }

    /// <summary>Reads complete-subtree hashes in one query: level 0 from <c>audit_events</c>, the rest from <c>audit_nodes</c>.</summary>
    public static async Task<Dictionary<MerkleNodeId, byte[]>> ReadNodesAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<MerkleNodeId> ids, CancellationToken cancellationToken)
    {
        var found = new Dictionary<MerkleNodeId, byte[]>(ids.Count);
        if (ids.Count == 0)
        {
            return found;
        }

        await using var command = Command(connection, transaction, "");
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
                Add(command, "@l" + n.ToString(CultureInfo.InvariantCulture), id.Level);
            }

            Add(command, "@i" + n.ToString(CultureInfo.InvariantCulture), id.Index);
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

    /// <summary>Inserts events: on SQLite one prepared statement re-run per row (no round trips to save), elsewhere several rows per statement.</summary>
    public static async Task InsertEventsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEventEntity> rows, CancellationToken cancellationToken)
    {
        if (connection is SqliteConnection)
        {
            await using var insert = Command(connection, transaction, "INSERT INTO audit_events (\"Sequence\", \"TenantId\", \"Time\", \"Actor\", \"Action\", \"Target\", \"Outcome\", \"ClientAddress\", \"Details\", \"LeafHash\") VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8, $9)");
            var p = Parameters(insert, 10);
            foreach (var row in rows)
            {
                p[0].Value = row.Sequence;
                p[1].Value = row.TenantId;
                p[2].Value = row.Time;
                p[3].Value = row.Actor;
                p[4].Value = row.Action;
                p[5].Value = (object?)row.Target ?? DBNull.Value;
                p[6].Value = row.Outcome;
                p[7].Value = (object?)row.ClientAddress ?? DBNull.Value;
                p[8].Value = row.Details;
                p[9].Value = row.LeafHash;
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        for (var offset = 0; offset < rows.Count; offset += EventRowsPerStatement)
        {
            var count = Math.Min(EventRowsPerStatement, rows.Count - offset);
            await using var command = Command(connection, transaction, "");
            var sql = new StringBuilder("INSERT INTO audit_events (\"Sequence\", \"TenantId\", \"Time\", \"Actor\", \"Action\", \"Target\", \"Outcome\", \"ClientAddress\", \"Details\", \"LeafHash\") VALUES ");
            for (var i = 0; i < count; i++)
            {
                var row = rows[offset + i];
                var p = "@e" + i.ToString(CultureInfo.InvariantCulture) + "_";
                sql.Append(i == 0 ? "(" : ",(")
                    .Append(p).Append("0,").Append(p).Append("1,").Append(p).Append("2,").Append(p).Append("3,").Append(p).Append("4,")
                    .Append(p).Append("5,").Append(p).Append("6,").Append(p).Append("7,").Append(p).Append("8,").Append(p).Append("9)");
                Add(command, p + "0", row.Sequence);
                Add(command, p + "1", row.TenantId);
                Add(command, p + "2", row.Time);
                Add(command, p + "3", row.Actor);
                Add(command, p + "4", row.Action);
                Add(command, p + "5", row.Target);
                Add(command, p + "6", row.Outcome);
                Add(command, p + "7", row.ClientAddress);
                Add(command, p + "8", row.Details);
                Add(command, p + "9", row.LeafHash);
            }

            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Inserts completed subtree hashes (level ≥ 1), as <see cref="InsertEventsAsync"/> does events.</summary>
    public static async Task InsertNodesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(MerkleNodeId Id, byte[] Hash)> rows, CancellationToken cancellationToken)
    {
        if (connection is SqliteConnection)
        {
            await using var insert = Command(connection, transaction, "INSERT INTO audit_nodes (\"Level\", \"Index\", \"Hash\") VALUES ($0, $1, $2)");
            var p = Parameters(insert, 3);
            foreach (var (id, hash) in rows)
            {
                p[0].Value = id.Level;
                p[1].Value = id.Index;
                p[2].Value = hash;
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        for (var offset = 0; offset < rows.Count; offset += NodeRowsPerStatement)
        {
            var count = Math.Min(NodeRowsPerStatement, rows.Count - offset);
            await using var command = Command(connection, transaction, "");
            var sql = new StringBuilder("INSERT INTO audit_nodes (\"Level\", \"Index\", \"Hash\") VALUES ");
            for (var i = 0; i < count; i++)
            {
                var (id, hash) = rows[offset + i];
                var p = "@n" + i.ToString(CultureInfo.InvariantCulture) + "_";
                sql.Append(i == 0 ? "(" : ",(").Append(p).Append("0,").Append(p).Append("1,").Append(p).Append("2)");
                Add(command, p + "0", id.Level);
                Add(command, p + "1", id.Index);
                Add(command, p + "2", hash);
            }

            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the PostgreSQL advisory lock that orders appends from several nodes; SQLite's write lock does the same.</summary>
    public static async Task LockForAppendAsync(DbConnection connection, DbTransaction transaction, StorageProvider provider, CancellationToken cancellationToken)
    {
        if (provider != StorageProvider.Postgres)
        {
            return;
        }

        await using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key)");
        Add(command, "@key", AppendLockKey);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static DbParameter[] Parameters(DbCommand command, int count)
    {
        var parameters = new DbParameter[count];
        for (var i = 0; i < count; i++)
        {
            parameters[i] = command.CreateParameter();
            parameters[i].ParameterName = "$" + i.ToString(CultureInfo.InvariantCulture);
            command.Parameters.Add(parameters[i]);
        }

        return parameters;
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
