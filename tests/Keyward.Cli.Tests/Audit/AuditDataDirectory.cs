using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Keyward.Server.Keys;
using Keyward.Testing;
using Microsoft.Data.Sqlite;

namespace Keyward.Cli.Tests.Audit;

/// <summary>A data directory as <c>keyward serve</c> leaves it: a migrated SQLite database with audit events and tree heads, and the audit key.</summary>
internal sealed class AuditDataDirectory : IDisposable
{
    private readonly TempDirectory _folder = new("keyward-cli-audit-");

    public string Path => _folder.Path;

    public string Combine(params string[] parts) => _folder.Combine(parts);

    /// <summary>Records <paramref name="events"/> events and signs a head after each of <paramref name="headsAt"/>.</summary>
    public async Task FillAsync(int events, params int[] headsAt)
    {
        var database = new KeywardDatabase(new StorageOptions(), Path);
        await database.MigrateAsync(TimeProvider.System);
        using var key = AuditKeyFile.LoadOrCreate(Path);
        await using var log = new AuditLog(database, TimeProvider.System, new AuditOptions());
        using var heads = new AuditTreeHeads(database, new AuditReader(database), key, TimeProvider.System);
        for (var i = 0; i < events; i++)
        {
            await log.RecordAsync(new AuditRecord
            {
                Actor = i % 2 == 0 ? "alice" : "bob",
                Action = AuditActions.SignInSucceeded,
                Outcome = AuditOutcomes.Success,
                ClientAddress = "198.51.100.4",
                Details = new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            });
            if (headsAt.Contains(i + 1))
            {
                await heads.SignIfGrownAsync();
            }
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
