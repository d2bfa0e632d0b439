using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Keyward.Core.Storage;

/// <summary>Lets <c>dotnet ef migrations add X --context SqliteKeywardDbContext</c> build the model without a host.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteKeywardDbContext>
{
    public SqliteKeywardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteKeywardDbContext>().UseSqlite("Data Source=design.db").Options);
}
