using System.Data.Common;

namespace Keyward.Core.Storage;

/// <summary>
/// The shared transaction of one <see cref="SqliteGroupCommit"/> batch, as its writes see it: the connection, the
/// transaction, and one prepared command per statement text, reused by every write of the batch that runs it.
/// </summary>
internal sealed class GroupBatch(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>The batch's connection.</summary>
    public DbConnection Connection => connection;

    /// <summary>
    /// The command for <paramref name="sql"/> in the batch's transaction, with no parameters: prepared once per batch,
    /// then re-run by each write that needs it (the caller adds its own parameters).
    /// </summary>
    public DbCommand Command(string sql)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            command.Parameters.Clear();
            return command;
        }

        command = DbCommands.Create(connection, transaction, sql);
        _commands.Add(sql, command);
        return command;
    }

    /// <summary>Runs <paramref name="sql"/> (a savepoint statement) in the batch's transaction.</summary>
    public async Task ExecuteAsync(string sql) =>
        await Command(sql).ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }

        _commands.Clear();
    }
}
