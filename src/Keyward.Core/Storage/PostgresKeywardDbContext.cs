using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Storage;

/// <summary>The PostgreSQL flavour of the model (several broker nodes).</summary>
public sealed class PostgresKeywardDbContext(DbContextOptions<PostgresKeywardDbContext> options) : KeywardDbContext(options);
