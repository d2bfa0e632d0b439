using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Keyward.Core.Storage;

/// <summary>The SQLite flavour of the model (embedded default).</summary>
public sealed class SqliteKeywardDbContext(DbContextOptions<SqliteKeywardDbContext> options) : KeywardDbContext(options)
{
    // The last backstop of the write gate: a context going back to its pool holds nothing, whatever it began (a
    // transaction begun below EF Core, on a connection that stays open until now, as the audit append does).
    private readonly SqliteWriteGate? _gate = options.FindExtension<CoreOptionsExtension>()?.Interceptors?
        .OfType<SqliteWriteGateInterceptor>().FirstOrDefault()?.Gate;

    /// <inheritdoc />
    public override void Dispose()
    {
        var connection = ConnectionToRelease();
        base.Dispose();
        if (connection is not null)
        {
            _gate!.ExitAll(connection);
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        var connection = ConnectionToRelease();
        await base.DisposeAsync().ConfigureAwait(false);
        if (connection is not null)
        {
            _gate!.ExitAll(connection);
        }
    }

    private System.Data.Common.DbConnection? ConnectionToRelease()
    {
        if (_gate is null)
        {
            return null;
        }

        try
        {
            return Database.GetDbConnection();
        }
        catch (ObjectDisposedException)
        {
            // Disposed twice: the first disposal already released it.
            return null;
        }
    }
}
