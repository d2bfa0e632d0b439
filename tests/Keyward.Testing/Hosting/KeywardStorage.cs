namespace Keyward.Testing.Hosting;

/// <summary>The <c>Keyward:Storage</c> settings for the two providers.</summary>
public static class KeywardStorage
{
    /// <summary>The embedded default: a SQLite file in the data directory.</summary>
    public static IReadOnlyDictionary<string, string> Sqlite() =>
        new Dictionary<string, string> { ["Keyward:Storage:Provider"] = "Sqlite" };

    /// <summary>PostgreSQL at <paramref name="connectionString"/> (see <see cref="PostgresFixture.CreateDatabaseAsync"/>).</summary>
    public static IReadOnlyDictionary<string, string> Postgres(string connectionString) =>
        new Dictionary<string, string> { ["Keyward:Storage:Provider"] = "Postgres", ["Keyward:Storage:ConnectionString"] = connectionString };
}
