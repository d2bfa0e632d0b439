using System.Data.Common;

namespace Keyward.Core.Storage;

/// <summary>
/// The kept connection of a <see cref="SqliteGroupCommit"/> writer, as a batch's writes see it: the connection, the
/// current batch's transaction, and one prepared command per statement text, reused by every write of every batch on
/// this connection that runs it (kept until the writer drops the connection).
/// </summary>
internal sealed class GroupBatch(DbConnection connection) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>The batch's connection.</summary>
    public DbConnection Connection => connection;

    /// <summary>The current batch's transaction (set by the writer for the batch's duration).</summary>
    public DbTransaction? Transaction { get; set; }

    /// <summary>
    /// The command for <paramref name="sql"/> in the batch's transaction, with no parameters: prepared once per
    /// connection, then re-run by each write that needs it (the caller adds its own parameters).
    /// </summary>
    public DbCommand Command(string sql)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            command.Parameters.Clear();
            command.Transaction = Transaction;
            return command;
        }

        command = DbCommands.Create(connection, Transaction, sql);
        _commands.Add(sql, command);
        return command;
    }

    /// <summary>Runs <paramref name="sql"/> (a savepoint statement) in the batch's transaction.</summary>
    public async Task ExecuteAsync(string sql) =>
        await Command(sql).ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }
}
