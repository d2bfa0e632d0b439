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

    /// <summary>
    /// PostgreSQL at <paramref name="connectionString"/> with the cluster key-encryption key in <paramref name="kekFile"/>
    /// (<see cref="WriteClusterKek"/>): what every node of one cluster is given (the signing keys are shared through the database).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Postgres(string connectionString, string kekFile) =>
        new Dictionary<string, string>
        {
            ["Keyward:Storage:Provider"] = "Postgres",
            ["Keyward:Storage:ConnectionString"] = connectionString,
            ["Keyward:Vault:Keys:1:File"] = kekFile,
        };

    /// <summary>Writes a fresh 32-byte key-encryption key (base64, mode 0600) into <paramref name="directory"/>; returns its path.</summary>
    public static string WriteClusterKek(string directory)
    {
        var path = System.IO.Path.Combine(directory, "cluster-kek-1.key");
        File.WriteAllText(path, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }
}
