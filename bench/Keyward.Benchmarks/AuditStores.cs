using Keyward.Core.Audit;
using Keyward.Core.Storage;

namespace Keyward.Benchmarks;

/// <summary>SQLite audit stores for the audit benchmarks, in files under the temporary directory.</summary>
internal static class AuditStores
{
    /// <summary>A fresh, migrated SQLite database in a new temporary folder.</summary>
    public static (KeywardDatabase Database, string Folder) Fresh()
    {
        var folder = Directory.CreateTempSubdirectory("keyward-bench-audit-").FullName;
        var database = new KeywardDatabase(new StorageOptions(), folder);
        database.MigrateAsync(TimeProvider.System).GetAwaiter().GetResult();
        return (database, folder);
    }

    /// <summary>
    /// A SQLite store holding exactly <paramref name="events"/> events, built once through
    /// <see cref="AuditLog.AppendBatchAsync"/> and kept in the temporary directory for later runs (BenchmarkDotNet starts a
    /// process per benchmark). Returns the store and, when it was built now, how long that took.
    /// </summary>
    public static (KeywardDatabase Database, TimeSpan? BuildTime) Cached(int events)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"keyward-bench-audit-{events}");
        var database = new KeywardDatabase(new StorageOptions(), folder);
        if (File.Exists(Path.Combine(folder, "complete")))
        {
            return (database, null);
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        database.MigrateAsync(TimeProvider.System).GetAwaiter().GetResult();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var log = new AuditLog(database, TimeProvider.System, new AuditOptions());
        const int chunk = 10_000;
        for (var start = 0; start < events; start += chunk)
        {
            log.AppendBatchAsync([.. Enumerable.Range(start, Math.Min(chunk, events - start)).Select(Record)]).GetAwaiter().GetResult();
        }

        log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        clock.Stop();
        File.WriteAllText(Path.Combine(folder, "complete"), clock.Elapsed.ToString());
        return (database, clock.Elapsed);
    }

    /// <summary>A typical event: a sign-in with a session target and two details.</summary>
    public static AuditRecord Record(int i) => new()
    {
        Actor = "alice@example.com",
        Action = AuditActions.SignInSucceeded,
        Outcome = AuditOutcomes.Success,
        Target = "session/0b6f3c1e-4a5d-4f8e-9c2b-7d1e8a9f" + (i % 10_000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
        ClientAddress = "203.0.113.17",
        Details = new Dictionary<string, string> { ["authenticator"] = "YubiKey 5 NFC", ["user_verified"] = "true" },
    };
}
