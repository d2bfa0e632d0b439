using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Keyward.Core.Storage;

/// <summary>
/// Puts every write that goes through EF Core on SQLite behind <see cref="SqliteWriteGate"/>, in one place instead of
/// at each call site: a transaction from its start (EF Core begins it with <c>BEGIN IMMEDIATE</c>, so the lock is taken
/// up front and a reader never has to turn into a writer), a SaveChanges, and a write statement run on its own
/// (<c>ExecuteUpdate</c>, <c>ExecuteDelete</c>, raw SQL). Each hold ends when what took it ends; a connection that
/// closes or is disposed ends all of its holds, so a transaction disposed without commit or rollback cannot keep the
/// gate. Queries are not intercepted: reads run beside the writer.
/// </summary>
internal sealed class SqliteWriteGateInterceptor(SqliteWriteGate gate, TimeSpan timeout)
    : IDbTransactionInterceptor, ISaveChangesInterceptor, IDbCommandInterceptor, IDbConnectionInterceptor
{
    /// <summary>The gate this interceptor enters.</summary>
    public SqliteWriteGate Gate => gate;

    // Transactions: held from before BEGIN IMMEDIATE until commit or rollback.
    InterceptionResult<DbTransaction> IDbTransactionInterceptor.TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        gate.Enter(connection, SqliteWriteGate.TransactionOwner, timeout, CancellationToken.None);
        return result;
    }

    async ValueTask<InterceptionResult<DbTransaction>> IDbTransactionInterceptor.TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken)
    {
        await gate.EnterAsync(connection, SqliteWriteGate.TransactionOwner, timeout, cancellationToken).ConfigureAwait(false);
        return result;
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => ExitTransaction(eventData);

    Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        ExitTransaction(eventData);
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => ExitTransaction(eventData);

    Task IDbTransactionInterceptor.TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        ExitTransaction(eventData);
        return Task.CompletedTask;
    }

    // SaveChanges: held for the whole call, so its INSERTs and UPDATEs never meet another writer.
    InterceptionResult<int> ISaveChangesInterceptor.SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        var context = Context(eventData);
        gate.Enter(context.Database.GetDbConnection(), context, timeout, CancellationToken.None);
        return result;
    }

    async ValueTask<InterceptionResult<int>> ISaveChangesInterceptor.SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken)
    {
        var context = Context(eventData);
        await gate.EnterAsync(context.Database.GetDbConnection(), context, timeout, cancellationToken).ConfigureAwait(false);
        return result;
    }

    int ISaveChangesInterceptor.SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        ExitSave(eventData);
        return result;
    }

    ValueTask<int> ISaveChangesInterceptor.SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken)
    {
        ExitSave(eventData);
        return ValueTask.FromResult(result);
    }

    void ISaveChangesInterceptor.SaveChangesFailed(DbContextErrorEventData eventData) => ExitSave(eventData);

    Task ISaveChangesInterceptor.SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken)
    {
        ExitSave(eventData);
        return Task.CompletedTask;
    }

    void ISaveChangesInterceptor.SaveChangesCanceled(DbContextEventData eventData) => ExitSave(eventData);

    Task ISaveChangesInterceptor.SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken)
    {
        ExitSave(eventData);
        return Task.CompletedTask;
    }

    // A statement that returns no rows (ExecuteUpdate, ExecuteDelete, raw SQL): held while it runs.
    InterceptionResult<int> IDbCommandInterceptor.NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        gate.Enter(Connection(command), command, timeout, CancellationToken.None);
        return result;
    }

    async ValueTask<InterceptionResult<int>> IDbCommandInterceptor.NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken)
    {
        await gate.EnterAsync(Connection(command), command, timeout, cancellationToken).ConfigureAwait(false);
        return result;
    }

    int IDbCommandInterceptor.NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        gate.Exit(Connection(command), command);
        return result;
    }

    ValueTask<int> IDbCommandInterceptor.NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken)
    {
        gate.Exit(Connection(command), command);
        return ValueTask.FromResult(result);
    }

    void IDbCommandInterceptor.CommandFailed(DbCommand command, CommandErrorEventData eventData) => gate.Exit(Connection(command), command);

    Task IDbCommandInterceptor.CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken)
    {
        gate.Exit(Connection(command), command);
        return Task.CompletedTask;
    }

    void IDbCommandInterceptor.CommandCanceled(DbCommand command, CommandEndEventData eventData) => gate.Exit(Connection(command), command);

    Task IDbCommandInterceptor.CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken)
    {
        gate.Exit(Connection(command), command);
        return Task.CompletedTask;
    }

    // Every connection as it opens: no checkpoint on close (SqliteDialect.OnOpened says why).
    void IDbConnectionInterceptor.ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => SqliteDialect.OnOpened((SqliteConnection)connection);

    Task IDbConnectionInterceptor.ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken)
    {
        SqliteDialect.OnOpened((SqliteConnection)connection);
        return Task.CompletedTask;
    }

    // The backstop: a closed or disposed connection holds nothing (a transaction disposed without an explicit end).
    void IDbConnectionInterceptor.ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => gate.ExitAll(connection);

    Task IDbConnectionInterceptor.ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        gate.ExitAll(connection);
        return Task.CompletedTask;
    }

    void IDbConnectionInterceptor.ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => gate.ExitAll(connection);

    Task IDbConnectionInterceptor.ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        gate.ExitAll(connection);
        return Task.CompletedTask;
    }

    private static DbContext Context(DbContextEventData eventData) =>
        eventData.Context ?? throw new InvalidOperationException("SaveChanges was intercepted without its context.");

    private static DbConnection Connection(DbCommand command) =>
        command.Connection ?? throw new InvalidOperationException("A command was intercepted without its connection.");

    // After a commit the ADO.NET transaction no longer knows its connection; the context does.
    private void ExitTransaction(TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context)
        {
            gate.Exit(context.Database.GetDbConnection(), SqliteWriteGate.TransactionOwner);
        }
    }

    private void ExitSave(DbContextEventData eventData)
    {
        if (eventData.Context is { } context)
        {
            gate.Exit(context.Database.GetDbConnection(), context);
        }
    }
}
