using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Keyward.Core.Storage;

/// <summary>Lets <c>dotnet ef migrations add X --context PostgresKeywardDbContext</c> build the model without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresKeywardDbContext>
{
    public PostgresKeywardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresKeywardDbContext>().UseNpgsql("Host=localhost;Database=keyward_design").Options);
}
