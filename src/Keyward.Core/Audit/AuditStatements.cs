using System.Data.Common;

namespace Keyward.Core.Audit;

/// <summary>
/// The audit writer's statements on its kept connection (<see cref="Storage.KeptConnection{TCommands}"/>): the size
/// query (prepared on SQLite) and the small batches' INSERTs, made once per connection and disposed with it.
/// </summary>
internal sealed class AuditStatements(DbConnection connection) : IDisposable
{
    private DbCommand? _size;

    /// <summary>The writer's connection.</summary>
    public DbConnection Connection => connection;

    /// <summary>The small batches' INSERT statements.</summary>
    public AuditInserts Inserts { get; } = new();

    /// <summary>The log's size in the append transaction.</summary>
    public async Task<long> SizeAsync(DbTransaction transaction, CancellationToken cancellationToken)
    {
        _size ??= AuditSql.SizeCommand(connection);
        _size.Transaction = transaction;
        return AuditSql.Size(await _size.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Disposes the statements (before their connection closes).</summary>
    public void Dispose()
    {
        Inserts.Dispose();
        _size?.Dispose();
        _size = null;
    }
}
