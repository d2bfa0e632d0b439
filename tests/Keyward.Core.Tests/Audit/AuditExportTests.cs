using System.Text;
using System.Text.Json.Nodes;
using Keyward.Core.Audit;
using Keyward.Core.Audit.Export;
using Keyward.Core.Storage;
using Keyward.Testing;

namespace Keyward.Core.Tests.Audit;

/// <summary>
/// Export, then verify: an intact export passes; one event modified, removed, reordered or inserted, in the file or in
/// the database before export, is named.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class AuditExportTests(PostgresFixture postgres) : IDisposable
{
    private const int Tampered = 17;
    private readonly AuditSigningKey _key = AuditSigningKey.Generate();

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Verify_UntouchedExport_IsIntactAndCountsUncoveredEvents(StorageProvider provider)
    {
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        var lines = await ExportAsync(store);

        var result = await VerifyAsync(lines);

        Assert.Equal(AuditVerificationStatus.Intact, result.Status);
        Assert.Equal(45, result.Events);
        Assert.Equal(3, result.TreeHeads);
        Assert.Equal(40, result.VerifiedTreeSize);
        Assert.Equal(5, result.Uncovered);
        Assert.Equal(1 + 3 + 45, lines.Count);
    }

    [Fact]
    public async Task Verify_EventModified_NamesIt()
    {
        var lines = await ExportAsync();
        var e = Event(lines, Tampered);
        e["event"]!["actor"] = "mallory";
        Replace(lines, Tampered, e);

        var result = await VerifyAsync(lines);

        AssertTampered(result, AuditTampering.Modified, Tampered);
        Assert.Contains($"Event {Tampered}", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_EventDetailsModified_NamesIt()
    {
        var lines = await ExportAsync();
        var e = Event(lines, Tampered);
        e["event"]!["details"]!["n"] = "999";
        Replace(lines, Tampered, e);

        AssertTampered(await VerifyAsync(lines), AuditTampering.Modified, Tampered);
    }

    [Fact]
    public async Task Verify_EventRemoved_NamesIt()
    {
        var lines = await ExportAsync();
        lines.RemoveAt(LineOf(Tampered));

        AssertTampered(await VerifyAsync(lines), AuditTampering.Removed, Tampered);
    }

    [Fact]
    public async Task Verify_EventRemovedAndLaterOnesRenumbered_NamesIt()
    {
        var lines = await ExportAsync();
        lines.RemoveAt(LineOf(Tampered));
        for (var i = Tampered; i < 44; i++)
        {
            var e = JsonNode.Parse(lines[LineOf(i)])!;
            e["event"]!["sequence"] = i;
            lines[LineOf(i)] = e.ToJsonString();
        }

        AssertTampered(await VerifyAsync(lines), AuditTampering.Removed, Tampered);
    }

    [Fact]
    public async Task Verify_TwoEventsSwapped_NamesTheFirstAsReordered()
    {
        var lines = await ExportAsync();
        (lines[LineOf(Tampered)], lines[LineOf(Tampered + 1)]) = (lines[LineOf(Tampered + 1)], lines[LineOf(Tampered)]);

        var result = await VerifyAsync(lines);

        AssertTampered(result, AuditTampering.Reordered, Tampered);
    }

    [Fact]
    public async Task Verify_EventInsertedWithARepeatedSequence_NamesTheInsertedLine()
    {
        var lines = await ExportAsync();
        var forged = Event(lines, Tampered);
        forged["event"]!["action"] = AuditActions.KeyRemoved;
        lines.Insert(LineOf(Tampered), forged.ToJsonString());

        var result = await VerifyAsync(lines);

        AssertTampered(result, AuditTampering.Inserted, Tampered);
        Assert.Equal(LineOf(Tampered) + 1, result.Line);
    }

    [Fact]
    public async Task Verify_EventInsertedAndLaterOnesRenumbered_NamesTheInsertedLine()
    {
        var lines = await ExportAsync();
        for (var i = 44; i >= Tampered; i--)
        {
            var e = Event(lines, i);
            e["event"]!["sequence"] = i + 1;
            Replace(lines, i, e);
        }

        var forged = JsonNode.Parse(lines[LineOf(Tampered)])!;
        forged["event"]!["sequence"] = Tampered;
        forged["event"]!["actor"] = "mallory";
        lines.Insert(LineOf(Tampered), forged.ToJsonString());

        var result = await VerifyAsync(lines);

        AssertTampered(result, AuditTampering.Inserted, Tampered);
        Assert.Equal(LineOf(Tampered) + 1, result.Line);
    }

    [Fact]
    public async Task Verify_ExportCutShort_NamesTheFirstMissingEvent()
    {
        var lines = await ExportAsync();
        lines.RemoveRange(LineOf(38), lines.Count - LineOf(38));

        AssertTampered(await VerifyAsync(lines), AuditTampering.Removed, 38);
    }

    [Fact]
    public async Task Verify_TreeHeadRootAltered_ReportsTheForgedHead()
    {
        var lines = await ExportAsync();
        var head = JsonNode.Parse(lines[2])!;
        head["root_hash"] = Convert.ToBase64String(new byte[32]);
        lines[2] = head.ToJsonString();

        var result = await VerifyAsync(lines);

        Assert.Equal(AuditVerificationStatus.Tampered, result.Status);
        Assert.Equal(AuditTampering.TreeHead, result.Tampering);
        Assert.Contains("signature", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TreeHeadRemoved_ReportsTheBrokenChain()
    {
        var lines = await ExportAsync();
        lines.RemoveAt(2);

        var result = await VerifyAsync(lines);

        Assert.Equal(AuditVerificationStatus.Tampered, result.Status);
        Assert.Equal(AuditTampering.TreeHead, result.Tampering);
    }

    [Fact]
    public async Task Verify_EveryTreeHeadStrippedAndAnEventEdited_IsTamperedNotIntact()
    {
        var lines = await ExportAsync();
        lines.RemoveAll(l => l.Contains("\"type\":\"tree_head\"", StringComparison.Ordinal));
        var at = lines.FindIndex(l => l.Contains("\"type\":\"event\"", StringComparison.Ordinal)) + 5;
        lines[at] = lines[at].Replace("\"actor\":\"", "\"actor\":\"x", StringComparison.Ordinal);

        var result = await VerifyAsync(lines);

        Assert.Equal(AuditVerificationStatus.Tampered, result.Status);
        Assert.Equal(AuditTampering.TreeHead, result.Tampering);
        Assert.Contains("removed", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WithAnotherTrustedKey_RefusesTheHeads()
    {
        var lines = await ExportAsync();
        using var other = AuditSigningKey.Generate();

        var result = await VerifyAsync(lines, other.SubjectPublicKeyInfo);

        Assert.Equal(AuditVerificationStatus.Tampered, result.Status);
        Assert.Equal(AuditTampering.TreeHead, result.Tampering);
        Assert.Equal(AuditVerificationStatus.Intact, (await VerifyAsync(lines, _key.SubjectPublicKeyInfo)).Status);
    }

    [Fact]
    public async Task Verify_WholeLogResignedWithAForgedKeyInTheHeader_FailsAgainstThePinnedKey()
    {
        // The operator-with-the-key threat, without the key: rewrite event 3, rebuild every hash and proof, sign with a
        // new key and put that key in the header. Self-consistent, so only a pinned key (or a kept head) catches it.
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        await FillAsync(store);
        await store.ExecuteAsync("UPDATE audit_events SET \"Actor\" = 'mallory' WHERE \"Sequence\" = 3");
        using var forger = AuditSigningKey.Generate();
        await RebuildTreeAsync(store, forger);
        var lines = await ExportAsync(store, forger);

        Assert.Equal(AuditVerificationStatus.Intact, (await VerifyAsync(lines)).Status);
        Assert.Equal(AuditVerificationStatus.Tampered, (await VerifyAsync(lines, _key.SubjectPublicKeyInfo)).Status);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Verify_EventChangedInTheDatabaseBeforeExport_NamesIt(StorageProvider provider)
    {
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        await FillAsync(store);
        await store.ExecuteAsync($"UPDATE audit_events SET \"Outcome\" = 'failure' WHERE \"Sequence\" = {Tampered}");

        AssertTampered(await VerifyAsync(await ExportAsync(store, _key)), AuditTampering.Modified, Tampered);
    }

    [Fact]
    public async Task Verify_EventDeletedInTheDatabaseBeforeExport_NamesIt()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        await FillAsync(store);
        await store.ExecuteAsync($"DELETE FROM audit_events WHERE \"Sequence\" = {Tampered}");

        AssertTampered(await VerifyAsync(await ExportAsync(store, _key)), AuditTampering.Removed, Tampered);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("not json\n", "not JSON")]
    [InlineData("{\"type\":\"header\",\"format\":\"keyward-audit-export\",\"version\":2,\"tree_size\":0,\"keys\":[]}\n", "version")]
    [InlineData("{\"type\":\"header\",\"format\":\"something-else\",\"version\":1}\n", "header")]
    public async Task Verify_UnusableInput_SaysWhy(string text, string expected)
    {
        var result = await AuditExportVerifier.VerifyAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)));

        Assert.Equal(AuditVerificationStatus.Unusable, result.Status);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"type\":\"mystery\"}", "Line 2 is not a tree head or event line")]
    [InlineData("{oops", "Line 2 is not JSON")]
    public async Task Verify_GarbledLineAfterAValidHeader_IsTamperedAtThatLine(string line, string expected)
    {
        var text = "{\"type\":\"header\",\"format\":\"keyward-audit-export\",\"version\":1,\"tree_size\":0,\"keys\":[]}\n" + line + "\n";

        var result = await AuditExportVerifier.VerifyAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)));

        Assert.Equal((AuditVerificationStatus.Tampered, AuditTampering.Modified, 2L), (result.Status, result.Tampering, result.Line));
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_EmptyLog_IsIntact()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        using (var heads = new AuditTreeHeads(store.Database, new AuditReader(store.Database), _key, TimeProvider.System))
        {
            await heads.SignIfGrownAsync();
        }

        var result = await VerifyAsync(await ExportAsync(store, _key), _key.SubjectPublicKeyInfo);

        Assert.Equal(AuditVerificationStatus.Intact, result.Status);
        Assert.Equal(0, result.Events);
    }

    public void Dispose() => _key.Dispose();

    /// <summary>45 events; heads signed at 10, 25 and 40.</summary>
    private async Task FillAsync(AuditStore store)
    {
        await using var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions());
        using var heads = new AuditTreeHeads(store.Database, new AuditReader(store.Database), _key, TimeProvider.System);
        var next = 0;
        foreach (var size in new[] { 10, 15, 15, 5 })
        {
            await log.AppendBatchAsync([.. Enumerable.Range(next, size).Select(i => AuditStore.Record(i))]);
            next += size;
            if (next <= 40)
            {
                await heads.SignIfGrownAsync();
            }
        }
    }

    private async Task<List<string>> ExportAsync()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        return await ExportAsync(store);
    }

    [Fact]
    public async Task Verify_HeadsInsideTheirKeysValidity_AreIntact_AndAHeadSignedOutsideItIsATamperedHead()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        await FillAsync(store);
        var now = DateTimeOffset.UtcNow;
        async Task<AuditVerification> WithValidityAsync(DateTimeOffset? notBefore, DateTimeOffset? retireAt)
        {
            using var output = new MemoryStream();
            await new AuditExporter(store.Database, TimeProvider.System).ExportAsync(output, [new AuditExportKey(_key.SubjectPublicKeyInfo, notBefore, retireAt)]);
            return await VerifyAsync([.. Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)]);
        }

        Assert.Equal(AuditVerificationStatus.Intact, (await WithValidityAsync(now.AddHours(-1), now.AddHours(1))).Status);

        // The key retired before these heads were signed (a retired key signing new heads), or was not yet valid.
        var retired = await WithValidityAsync(now.AddHours(-2), now.AddHours(-1));
        Assert.Equal((AuditVerificationStatus.Tampered, AuditTampering.TreeHead), (retired.Status, retired.Tampering));
        Assert.Contains("outside the time that key was valid", retired.Message, StringComparison.Ordinal);
        var early = await WithValidityAsync(now.AddHours(1), null);
        Assert.Equal((AuditVerificationStatus.Tampered, AuditTampering.TreeHead), (early.Status, early.Tampering));
    }

    [Fact]
    public async Task VerifyTrusting_AHistoryOfKeys_TrustsEach_AndAHeadByAKeyNotInItIsATamperedHead()
    {
        var lines = await ExportAsync();
        using var other = AuditSigningKey.Generate();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));

        var trusted = await AuditExportVerifier.VerifyTrustingAsync(stream, [other.SubjectPublicKeyInfo, _key.SubjectPublicKeyInfo]);
        using var again = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        var notInHistory = await AuditExportVerifier.VerifyTrustingAsync(again, [other.SubjectPublicKeyInfo]);

        Assert.Equal(AuditVerificationStatus.Intact, trusted.Status);
        Assert.Equal((AuditVerificationStatus.Tampered, AuditTampering.TreeHead), (notInHistory.Status, notInHistory.Tampering));
    }

    private async Task<List<string>> ExportAsync(AuditStore store)
    {
        await FillAsync(store);
        return await ExportAsync(store, _key);
    }

    private static async Task<List<string>> ExportAsync(AuditStore store, AuditSigningKey key)
    {
        using var output = new MemoryStream();
        await new AuditExporter(store.Database, TimeProvider.System).ExportAsync(output, [key.SubjectPublicKeyInfo]);
        return [.. Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>What an operator holding the database (but not the key) would have to do: recompute every hash and sign anew.</summary>
    private static async Task RebuildTreeAsync(AuditStore store, AuditSigningKey key)
    {
        var rows = await store.EventsAsync();
        await store.ExecuteAsync("DELETE FROM audit_nodes");
        await store.ExecuteAsync("DELETE FROM audit_tree_heads");
        await store.ExecuteAsync("DELETE FROM audit_events");
        await using var log = new AuditLog(store.Reopen(), TimeProvider.System, new AuditOptions());
        await log.AppendBatchAsync([.. rows.Select(r => AuditReader.ToEvent(r)).Select(e => new AuditRecord
        {
            Actor = e.Actor, Action = e.Action, Target = e.Target, Outcome = e.Outcome, ClientAddress = e.ClientAddress, Details = e.Details,
        })]);
        using var heads = new AuditTreeHeads(store.Database, new AuditReader(store.Database), key, TimeProvider.System);
        await heads.SignIfGrownAsync();
    }

    private static Task<AuditVerification> VerifyAsync(List<string> lines, byte[]? trusted = null) =>
        AuditExportVerifier.VerifyAsync(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")), trusted);

    /// <summary>The index in the line list of event <paramref name="sequence"/> in an untouched export (header + 3 heads first).</summary>
    private static int LineOf(int sequence) => 4 + sequence;

    private static JsonNode Event(List<string> lines, int sequence) => JsonNode.Parse(lines[LineOf(sequence)])!;

    private static void Replace(List<string> lines, int sequence, JsonNode e) => lines[LineOf(sequence)] = e.ToJsonString();

    private static void AssertTampered(AuditVerification result, AuditTampering how, long sequence)
    {
        Assert.True(result.Status == AuditVerificationStatus.Tampered, result.Message);
        Assert.True(how == result.Tampering, $"{result.Tampering}: {result.Message}");
        Assert.Equal(sequence, result.Sequence);
    }
}
