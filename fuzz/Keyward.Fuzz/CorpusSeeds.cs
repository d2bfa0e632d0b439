using Keyward.Core.Audit;
using Keyward.Core.Audit.Export;
using Keyward.Core.Storage;
using Keyward.Fuzz.Harnesses;

namespace Keyward.Fuzz;

/// <summary>
/// The seeds that cannot be cut out of tests/vectors: assertions signed with the harness key, and an audit export
/// written by the real exporter from a throw-away SQLite database. fuzz/make-corpus.sh calls this.
/// </summary>
internal static class CorpusSeeds
{
    private static readonly string[] AudienceArray = [AssertionHarness.Audience, "https://other.fuzz.example"];

    private static readonly string[] Methods = ["hwk", "user"];

    /// <summary>Writes the generated seeds under <paramref name="corpus"/>/assertion and /audit-export.</summary>
    public static async Task WriteAsync(string corpus)
    {
        var assertion = Directory.CreateDirectory(Path.Combine(corpus, "assertion")).FullName;
        await File.WriteAllTextAsync(Path.Combine(assertion, "valid.jwt"), AssertionHarness.Mint()).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(assertion, "wrong-typ.jwt"), AssertionHarness.Mint(type: "JWT")).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(assertion, "aud-array.jwt"), AssertionHarness.Mint(new Dictionary<string, object> { ["aud"] = AudienceArray })).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(assertion, "amr-jti.jwt"), AssertionHarness.Mint(new Dictionary<string, object> { ["amr"] = Methods, ["jti"] = "a1", ["auth_time"] = 1717243000 })).ConfigureAwait(false);

        var audit = Directory.CreateDirectory(Path.Combine(corpus, "audit-export")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(audit, "export.jsonl"), await ExportAsync().ConfigureAwait(false)).ConfigureAwait(false);
    }

    // 12 events under two signed tree heads (at 5 and 10), 2 events not yet covered by a head.
    private static async Task<byte[]> ExportAsync()
    {
        var folder = Directory.CreateTempSubdirectory("keyward-fuzz-audit-");
        try
        {
            var database = new KeywardDatabase(new StorageOptions { Provider = StorageProvider.Sqlite }, folder.FullName);
            await database.MigrateAsync(TimeProvider.System).ConfigureAwait(false);
            using var key = AuditSigningKey.Generate();
            await using (var log = new AuditLog(database, TimeProvider.System, new AuditOptions()))
            {
                using var heads = new AuditTreeHeads(database, new AuditReader(database), key, TimeProvider.System);
                var next = 0;
                foreach (var size in new[] { 5, 5, 2 })
                {
                    await log.AppendBatchAsync([.. Enumerable.Range(next, size).Select(Record)]).ConfigureAwait(false);
                    next += size;
                    if (next <= 10)
                    {
                        await heads.SignIfGrownAsync().ConfigureAwait(false);
                    }
                }
            }

            using var output = new MemoryStream();
            await new AuditExporter(database, TimeProvider.System).ExportAsync(output, [key.SubjectPublicKeyInfo]).ConfigureAwait(false);
            return output.ToArray();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static AuditRecord Record(int i) => new()
    {
        Actor = i % 2 == 0 ? "alice" : "bob",
        Action = i % 3 == 0 ? AuditActions.SignInFailed : AuditActions.SignInSucceeded,
        Outcome = i % 3 == 0 ? AuditOutcomes.Denied : AuditOutcomes.Success,
        Target = i % 2 == 0 ? $"session/{i}" : null,
        ClientAddress = "192.0.2.1",
        Details = new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["why"] = "seed \"quoted\" é" },
    };
}
