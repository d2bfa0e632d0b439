using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Storage;

/// <summary>The SQLite flavour of the model (embedded default).</summary>
public sealed class SqliteKeywardDbContext(DbContextOptions<SqliteKeywardDbContext> options) : KeywardDbContext(options);
