using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Keyward.Core.Storage;

/// <summary>
/// One statement as a plain ADO.NET command on a context's connection, for the sign-in's writes and reads (issue 15): no EF Core
/// relational command, no interceptors, no diagnostics per call. Each value is bound through the provider's own EF Core
/// type mapping (<see cref="RelationalTypeMapping.CreateParameter"/>), so it is stored exactly as EF Core stores it: on
/// SQLite a <see cref="Guid"/> as upper-case TEXT and a <see cref="bool"/> as INTEGER, on PostgreSQL uuid, boolean,
/// bigint, bytea and text. A write enters the storage's write gate itself (<see cref="StorageDialect.EnterWriteAsync"/>,
/// as <see cref="SingleUse"/> does), because EF Core's gate interceptor does not see it; each write is one statement and
/// its own autocommit, in no transaction with another. A read (<see cref="ReadFirstAsync"/>, <see cref="ReadAllAsync"/>)
/// takes no gate; its caller reads each column as EF Core stores it (<see cref="DbDataReader.GetGuid"/> reads SQLite's
/// upper-case TEXT and PostgreSQL's uuid alike). The connection is opened for the statement when it is closed,
/// and closed again when this is disposed; a connection the caller opened stays open.
/// </summary>
internal sealed class PlainCommand : IAsyncDisposable
{
    private readonly KeywardDatabase _database;
    private readonly KeywardDbContext _db;
    private readonly DbCommand _command;
    private readonly IRelationalTypeMappingSource _mappings;
    private readonly bool _opened;

    private PlainCommand(KeywardDatabase database, KeywardDbContext db, DbCommand command, bool opened)
    {
        _database = database;
        _db = db;
        _command = command;
        _opened = opened;
        _mappings = db.GetService<IRelationalTypeMappingSource>();
    }

    /// <summary>A command with <paramref name="sql"/> on <paramref name="db"/>'s connection, opened if it was closed.</summary>
    public static async ValueTask<PlainCommand> CreateAsync(KeywardDatabase database, KeywardDbContext db, string sql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(db);
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        return new PlainCommand(database, db, DbCommands.Create(connection, null, sql), opened);
    }

    /// <summary>Binds <paramref name="value"/> to <paramref name="name"/> as EF Core binds a <typeparamref name="T"/> on this provider.</summary>
    public PlainCommand Bind<T>(string name, T value)
    {
        var mapping = _mappings.FindMapping(typeof(T))
            ?? throw new InvalidOperationException($"The storage provider has no mapping for {typeof(T).Name}.");
        _command.Parameters.Add(mapping.CreateParameter(_command, name, value, nullable: value is null));
        return this;
    }

    /// <summary>Runs the write behind the write gate; returns the rows it changed.</summary>
    public async Task<int> WriteAsync(CancellationToken cancellationToken)
    {
        var connection = _command.Connection!;
        await _database.Dialect.EnterWriteAsync(connection, _command, cancellationToken).ConfigureAwait(false);
        try
        {
            await _command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            return await _command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _database.Dialect.ExitWrite(connection, _command);
        }
    }

    /// <summary>
    /// Runs a write that returns rows (<c>… RETURNING</c>) behind the write gate: <paramref name="read"/>'s value of the
    /// first row, or default when it changed none. The statement is stepped to its end (so it, and its autocommit, are
    /// complete, and a failed commit throws) before the gate is let go and before this returns.
    /// </summary>
    public async Task<T?> WriteReturningAsync<T>(Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var connection = _command.Connection!;
        await _database.Dialect.EnterWriteAsync(connection, _command, cancellationToken).ConfigureAwait(false);
        try
        {
            await _command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            await using var reader = await _command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var value = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? read(reader) : default;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
            }

            return value;
        }
        finally
        {
            _database.Dialect.ExitWrite(connection, _command);
        }
    }

    /// <summary>
    /// Runs a read (no write gate: reads never wait for SQLite's writer in WAL mode): <paramref name="read"/>'s value of
    /// the first row, or default when there is none. The reader is stepped to its end before this returns.
    /// </summary>
    public async Task<T?> ReadFirstAsync<T>(Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        await _command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await _command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var value = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? read(reader) : default;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
        }

        return value;
    }

    /// <summary>Runs a read (no write gate) and returns <paramref name="read"/>'s value of every row, in order.</summary>
    public async Task<List<T>> ReadAllAsync<T>(Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        await _command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await _command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Disposes the command; closes the connection if this opened it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _command.DisposeAsync().ConfigureAwait(false);
        if (_opened)
        {
            await _db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }
}
