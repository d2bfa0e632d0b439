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
        var connection = _gate is null ? null : Database.GetDbConnection();
        base.Dispose();
        if (connection is not null)
        {
            _gate!.ExitAll(connection);
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        var connection = _gate is null ? null : Database.GetDbConnection();
        await base.DisposeAsync().ConfigureAwait(false);
        if (connection is not null)
        {
            _gate!.ExitAll(connection);
        }
    }
}
