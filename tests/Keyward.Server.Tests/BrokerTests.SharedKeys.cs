using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Keyward.Core.Audit;
using Keyward.Core.Audit.Export;
using Keyward.Core.Capabilities;
using Keyward.Core.Keys;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Keyward.Server.Capabilities;
using Keyward.Server.Keys;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests;

/// <summary>
/// Issue 13 items 2 and 3: on PostgreSQL the signing keys live in the database, shared by every node, so whatever one
/// node signs verifies against every node's JWKS through a rotation; the nodes write one audit log whose export, across
/// a change of tree-head key, verifies; and the latest signed tree head is public at /.well-known/keyward/sth.
/// Two in-process nodes on one database, each with its own fake clock; a node reads the keys again when told
/// (<see cref="RefreshKeysAsync"/>), as its refresher does every Keyward:SigningKeys:RefreshInterval.
/// </summary>
public abstract partial class BrokerTests
{
    private const string SharedKeysJwks = "/.well-known/keyward/jwks.json";
    private const string SharedCapabilityJwks = "/.well-known/keyward/capability-jwks.json";

    [Fact]
    public async Task PublicTreeHead_Anonymous_AnswersTheLatestSignedHead_ThatVerifies_AndSignsNothing()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var signed = await host.GetService<AuditTreeHeads>().SignIfGrownAsync();

        var answer = await client.GetAsync("/.well-known/keyward/sth");

        ProblemAssert.Ok(answer);
        Assert.Contains("public", answer.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(10), answer.Headers.CacheControl?.MaxAge);
        var head = new SignedTreeHead(
            answer.Json.GetProperty("tree_size").GetInt64(), Convert.FromBase64String(answer.GetString("root_hash")), answer.Json.GetProperty("timestamp").GetInt64(),
            answer.GetString("key_id"), Convert.FromBase64String(answer.GetString("signature")));
        Assert.Equal(signed, head);
        var published = await client.GetAsync("/api/audit/key");
        using var key = ECDsa.Create();
        key.ImportFromPem(published.GetString("public_key"));
        Assert.True(head.VerifySignature(key.ExportSubjectPublicKeyInfo()));

        // Anonymous reads write nothing: after more events, it still answers the head that was signed.
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));
        await host.GetService<IAuditLog>().RecordAsync(new AuditRecord { Actor = "system", Action = "test.more", Outcome = AuditOutcomes.Success });
        var again = await client.GetAsync("/.well-known/keyward/sth");
        Assert.Equal(signed.TreeSize, again.Json.GetProperty("tree_size").GetInt64());
    }

    [Fact]
    public async Task PublicTreeHead_ReadAtMostOnceASecond_ANewerHeadShowsAfterIt()
    {
        var (host, client, _) = await StartWithAdminAsync();
        var first = await host.GetService<AuditTreeHeads>().SignIfGrownAsync();
        Assert.Equal(first.TreeSize, (await client.GetAsync("/.well-known/keyward/sth")).Json.GetProperty("tree_size").GetInt64());

        // A newer head signed within the second: the node answers the head it read (no database query per request).
        await host.GetService<IAuditLog>().RecordAsync(new AuditRecord { Actor = "system", Action = "test.more", Outcome = AuditOutcomes.Success });
        var newer = await host.GetService<AuditTreeHeads>().SignIfGrownAsync();
        Assert.True(newer.TreeSize > first.TreeSize);
        host.Time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Equal(first.TreeSize, (await client.GetAsync("/.well-known/keyward/sth")).Json.GetProperty("tree_size").GetInt64());

        // Once the second has passed, the next request reads it.
        host.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(newer.TreeSize, (await client.GetAsync("/.well-known/keyward/sth")).Json.GetProperty("tree_size").GetInt64());
    }

    protected async Task TwoNodesAssertionsVerifyOnEachOthersJwksThroughARotationAsync()
    {
        static void Hourly(Dictionary<string, string> s)
        {
            s["Keyward:Assertions:KeyRotationInterval"] = "01:00:00";
            s["Keyward:Sessions:IdleTimeout"] = "06:00:00";
        }

        var (nodeA, clientA, admin) = await StartWithAdminAsync(Hourly);
        var nodeB = await StartHostAsync(Hourly, now: nodeA.Time.GetUtcNow());
        var clientB = ClientOf(nodeB);
        async Task<IdentityAssertion> MintOnAAsync() =>
            IdentityAssertion.Parse(UpstreamView.Parse(await clientA.ProxyAsync("/echo/x", admin.Token)).Header("Keyward-Assertion")!);

        var first = await MintOnAAsync();
        Assert.True(first.VerifiesWith(await JwksAsync(clientB, SharedKeysJwks)));

        // A rotates; B has not read the keys again. The new key is published on A, and does not sign yet.
        nodeA.Time.Advance(TimeSpan.FromHours(1));
        await RefreshKeysAsync(nodeA);
        Assert.Equal(2, (await JwksAsync(clientA, SharedKeysJwks)).GetProperty("keys").GetArrayLength());
        var stillOld = await MintOnAAsync();
        Assert.Equal(first.Kid, stillOld.Kid);
        Assert.True(stillOld.VerifiesWith(await JwksAsync(clientB, SharedKeysJwks)));

        // B reads the keys (within its refresh interval): it publishes the new key before any node signs with it.
        nodeB.Time.Advance(TimeSpan.FromHours(1));
        await RefreshKeysAsync(nodeB);
        Assert.Equal(2, (await JwksAsync(clientB, SharedKeysJwks)).GetProperty("keys").GetArrayLength());

        // After the publish delay A signs with the new key, which B serves; the old key stays for the overlap.
        await AdvanceBothAsync(nodeA, nodeB, TimeSpan.FromMinutes(1));
        var second = await MintOnAAsync();
        Assert.NotEqual(first.Kid, second.Kid);
        Assert.True(second.VerifiesWith(await JwksAsync(clientB, SharedKeysJwks)));
        Assert.True(stillOld.VerifiesWith(await JwksAsync(clientB, SharedKeysJwks)));

        // Once every token the old key signed has expired (Keyward:Assertions:KeyOverlap, 1 h), no node serves it.
        await AdvanceBothAsync(nodeA, nodeB, TimeSpan.FromHours(1));
        Assert.False(stillOld.VerifiesWith(await JwksAsync(clientA, SharedKeysJwks)));
        Assert.False(stillOld.VerifiesWith(await JwksAsync(clientB, SharedKeysJwks)));
        var third = await MintOnAAsync();
        Assert.Equal(second.Kid, third.Kid);
        Assert.True(third.VerifiesWith(await JwksAsync(clientB, SharedKeysJwks)));
    }

    protected async Task TwoNodesCapabilityTokensVerifyOnEachOthersJwksThroughARotationAsync()
    {
        static void Hourly(Dictionary<string, string> s) => s["Keyward:SigningKeys:CapabilityKeyRotationInterval"] = "01:00:00";
        var nodeA = await StartHostAsync(Hourly);
        var nodeB = await StartHostAsync(Hourly, now: nodeA.Time.GetUtcNow());
        var (clientA, clientB) = (ClientOf(nodeA), ClientOf(nodeB));
        IdentityAssertion MintOnA()
        {
            var scope = new CapabilityScope(
                Guid.NewGuid(), Tenants.Default, Guid.NewGuid(), Guid.NewGuid(), CapabilityActorKind.Service, ["read"], ["credential"], ["db/"], nodeA.Time.GetUtcNow(), null);
            return IdentityAssertion.Parse(nodeA.GetService<CapabilityIssuer>().Issue(scope, 1, "read", "credential", "db/main").Token);
        }

        var first = MintOnA();
        Assert.True(first.VerifiesWith(await JwksAsync(clientB, SharedCapabilityJwks)));

        nodeA.Time.Advance(TimeSpan.FromHours(1));
        await RefreshKeysAsync(nodeA);
        var stillOld = MintOnA();
        Assert.Equal(first.Kid, stillOld.Kid);
        Assert.True(stillOld.VerifiesWith(await JwksAsync(clientB, SharedCapabilityJwks)));

        nodeB.Time.Advance(TimeSpan.FromHours(1));
        await RefreshKeysAsync(nodeB);
        await AdvanceBothAsync(nodeA, nodeB, TimeSpan.FromMinutes(1));
        var second = MintOnA();
        Assert.NotEqual(first.Kid, second.Kid);
        Assert.True(second.VerifiesWith(await JwksAsync(clientB, SharedCapabilityJwks)));
        Assert.NotNull(nodeB.GetService<CapabilityKeyStore>().Find(second.Kid));
        Assert.NotNull(nodeB.GetService<CapabilityKeyStore>().Find(stillOld.Kid));

        // After the capability lifetime (5 min) the old key verifies nothing on any node.
        await AdvanceBothAsync(nodeA, nodeB, TimeSpan.FromMinutes(6));
        Assert.False(stillOld.VerifiesWith(await JwksAsync(clientB, SharedCapabilityJwks)));
        Assert.Null(nodeB.GetService<CapabilityKeyStore>().Find(stillOld.Kid));
        Assert.Null(nodeA.GetService<CapabilityKeyStore>().Find(stillOld.Kid));
    }

    protected async Task TwoNodesAppendOneLogAndAnExportAcrossAKeyChangeVerifiesAsync()
    {
        var nodeA = await StartHostAsync();
        var nodeB = await StartHostAsync(now: nodeA.Time.GetUtcNow());
        async Task AppendOnBothAsync(string action, int count) => await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            (i % 2 == 0 ? nodeA : nodeB).GetService<IAuditLog>().RecordAsync(new AuditRecord
            {
                Actor = i % 2 == 0 ? "node-a" : "node-b",
                Action = action,
                Outcome = AuditOutcomes.Success,
                Details = new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            }).AsTask()));
        async Task SignOnBothAsync() => await Task.WhenAll(
            nodeA.GetService<AuditTreeHeads>().SignIfGrownAsync(), nodeB.GetService<AuditTreeHeads>().SignIfGrownAsync());

        await AppendOnBothAsync("test.before", 60);
        await SignOnBothAsync();

        // A new tree-head key, made on A: B reads it, and both sign with it once its publish delay has passed.
        var oldKey = nodeA.GetService<AuditKeys>().Current.KeyId;
        await nodeA.GetService<ClusterSigningKeys>().RotateAuditKeyAsync(CancellationToken.None);
        await RefreshKeysAsync(nodeB);
        await AdvanceBothAsync(nodeA, nodeB, TimeSpan.FromMinutes(1));
        Assert.NotEqual(oldKey, nodeB.GetService<AuditKeys>().Current.KeyId);
        Assert.Equal(nodeA.GetService<AuditKeys>().Current.KeyId, nodeB.GetService<AuditKeys>().Current.KeyId);
        await AppendOnBothAsync("test.after", 60);
        await SignOnBothAsync();

        // One sequence: every number once, no gap, whichever node appended.
        var events = await AllEventsAsync(nodeB);
        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.Sequence).Order());
        Assert.Equal(60, events.Count(e => e.Action == "test.after"));

        var history = await nodeB.GetService<AuditKeys>().HistoryAsync(CancellationToken.None);
        Assert.Equal(2, history.Count);
        var lines = await ExportLinesAsync(nodeB, history);
        var heads = lines.Where(l => l.Contains("\"type\":\"tree_head\"", StringComparison.Ordinal)).ToList();
        Assert.Contains(heads, l => l.Contains(oldKey, StringComparison.Ordinal));
        Assert.Contains(heads, l => !l.Contains(oldKey, StringComparison.Ordinal));

        var verdict = await VerifyLinesAsync(lines);
        Assert.True(verdict.Status == AuditVerificationStatus.Intact, verdict.Message);
        using (var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")))
        {
            var trusted = await AuditExportVerifier.VerifyTrustingAsync(stream, [.. history.Select(k => k.PublicKey)]);
            Assert.True(trusted.Status == AuditVerificationStatus.Intact, trusted.Message);
        }

        // A head signed by a key not in the history (the new key left out of the header) is caught.
        var withoutNewKey = await ExportLinesAsync(nodeB, [history[0]]);
        var missing = await VerifyLinesAsync(withoutNewKey);
        Assert.Equal((AuditVerificationStatus.Tampered, AuditTampering.TreeHead), (missing.Status, missing.Tampering));

        // An altered event is caught and named.
        var index = lines.FindIndex(l => l.Contains("\"action\":\"test.after\"", StringComparison.Ordinal));
        var altered = lines.ToList();
        altered[index] = altered[index].Replace("\"actor\":\"node-", "\"actor\":\"evil-", StringComparison.Ordinal);
        var tampered = await VerifyLinesAsync(altered);
        Assert.Equal((AuditVerificationStatus.Tampered, AuditTampering.Modified), (tampered.Status, tampered.Tampering));
        Assert.Equal(index + 1, tampered.Line);
    }

    protected async Task SharedKeysAreWrappedAndBoundToPurposeAndIdAsync()
    {
        var node = await StartHostAsync();
        var database = node.GetService<KeywardDatabase>();
        var cluster = node.GetService<ClusterSigningKeys>();
        await using (var db = database.CreateContext())
        {
            var rows = await db.SigningKeys.AsNoTracking().ToListAsync();
            Assert.Equal([SigningKeyPurposes.Assertion, SigningKeyPurposes.Audit, SigningKeyPurposes.Capability], rows.Select(r => r.Purpose).Order());
            var secret = cluster.Assertion.Keys[0].Key.ExportPkcs8PrivateKey();
            var row = rows.Single(r => r.Purpose == SigningKeyPurposes.Assertion);
            Assert.Equal(secret.Length + 16, row.EncryptedPrivateKey.Length);
            Assert.False(row.EncryptedPrivateKey.AsSpan().IndexOf(secret.AsSpan(secret.Length - 32)) >= 0, "The private key must be stored only wrapped.");
            Assert.DoesNotContain("\"d\"", row.PublicJwk, StringComparison.Ordinal);

            // The capability key's row relabelled as an assertion key: its id still matches the key, but the wrap's
            // associated data names the capability purpose, so no node opens it.
            db.SigningKeys.RemoveRange(db.SigningKeys.Where(r => r.Purpose == SigningKeyPurposes.Assertion));
            await db.SaveChangesAsync();
            await db.Database.ExecuteSqlRawAsync("UPDATE signing_keys SET \"Purpose\" = 'assertion' WHERE \"Purpose\" = 'capability'");
        }

        var refused = await Assert.ThrowsAsync<Keyward.Server.Http.KeywardStartupException>(() => StartHostAsync(now: node.Time.GetUtcNow()));
        Assert.Contains("do not open under Keyward:Vault:Keys", refused.Message, StringComparison.Ordinal);
    }

    protected async Task SharedKeysPublishTheKeyDerivedFromThePrivateKeyNotTheStoredJwkAsync()
    {
        var node = await StartHostAsync();
        var real = node.GetService<ClusterSigningKeys>().Assertion.Keys[0];
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // A database writer without the KEK puts their own public key in the live assertion row, under the same id.
        await using (var db = node.GetService<KeywardDatabase>().CreateContext())
        {
            var row = await db.SigningKeys.SingleAsync(r => r.Purpose == SigningKeyPurposes.Assertion);
            row.PublicJwk = SigningKeyRecord.JwkOf(attacker, row.KeyId);
            await db.SaveChangesAsync();
        }

        // A node reading the keys afresh publishes the key the wrapped private key has, never the stored text.
        var other = await StartHostAsync(now: node.Time.GetUtcNow());
        var jwks = await JwksAsync(ClientOf(other), SharedKeysJwks);
        var published = Assert.Single(jwks.GetProperty("keys").EnumerateArray());
        Assert.Equal(real.KeyId, published.GetProperty("kid").GetString());
        Assert.Equal(Keyward.WebAuthn.Base64Url.Encode(real.Key.ExportParameters(false).Q.X!), published.GetProperty("x").GetString());

        // An assertion the attacker signs under that id does not verify; one the real key signs does.
        Assert.False(SignedAssertion(attacker, real.KeyId).VerifiesWith(jwks));
        Assert.True(SignedAssertion(real.Key, real.KeyId).VerifiesWith(jwks));
    }

    protected async Task AuditKeyHistoryListsOnlyKeysThatOpenUnderTheKekAsync()
    {
        var node = await StartHostAsync();
        var genuine = node.GetService<AuditKeys>().Current.SubjectPublicKeyInfo;
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = attacker.ExportSubjectPublicKeyInfo();

        // A database writer without the KEK inserts a retired audit key of their own, to sign rewritten heads with.
        await using (var db = node.GetService<KeywardDatabase>().CreateContext())
        {
            var keyId = SigningKeyPurposes.KeyIdOf(SigningKeyPurposes.Audit, spki);
            db.SigningKeys.Add(new SigningKeyEntity
            {
                Purpose = SigningKeyPurposes.Audit,
                KeyId = keyId,
                PublicJwk = SigningKeyRecord.JwkOf(attacker, keyId),
                KekEpoch = 1,
                Nonce = RandomNumberGenerator.GetBytes(12),
                EncryptedPrivateKey = RandomNumberGenerator.GetBytes(138 + 16),
                PrivateKeyLength = 138,
                CreatedAt = 0,
                NotBefore = 0,
                RetireAt = 1,
            });
            await db.SaveChangesAsync();
        }

        var history = await node.GetService<AuditKeys>().HistoryAsync(CancellationToken.None);

        var only = Assert.Single(history);
        Assert.Equal(genuine, only.PublicKey);
        Assert.DoesNotContain(history, k => k.PublicKey.AsSpan().SequenceEqual(spki));
    }

    protected async Task NodeThatCannotOpenTheSuccessorStopsSigningAtRetirementAsync()
    {
        // B made the keys under KEK epoch 1 and has only that; A also has epoch 2, so its rotation wraps the successor
        // under a KEK B lacks.
        var (nodeB, clientB, admin) = await StartWithAdminAsync(s => s["Keyward:Sessions:IdleTimeout"] = "06:00:00");
        var nodeA = await StartHostAsync(
            s =>
            {
                s["Keyward:Assertions:KeyRotationInterval"] = "01:00:00";
                s["Keyward:Vault:Keys:2:File"] = WriteSecondKek(Path.GetDirectoryName(s["Keyward:Vault:Keys:1:File"])!);
            },
            now: nodeB.Time.GetUtcNow());
        nodeA.Time.Advance(TimeSpan.FromHours(1));
        await RefreshKeysAsync(nodeA);

        // B reads the rows but cannot open the new key: it keeps the old one, which still signs until its retire_at
        // (the successor's not_before + Keyward:Assertions:KeyOverlap, 1 h).
        nodeB.Time.Advance(TimeSpan.FromMinutes(90));
        await Assert.ThrowsAsync<Keyward.Core.Vault.VaultKeyUnavailableException>(() => RefreshKeysAsync(nodeB));
        ProblemAssert.Ok(await clientB.ProxyAsync("/echo/x", admin.Token));
        ProblemAssert.Ok(await clientB.GetAsync("/readyz"));

        // Past it, B signs nothing: the request fails closed with a clear code, and B is not ready.
        nodeB.Time.Advance(TimeSpan.FromMinutes(45));
        ProblemAssert.Problem(await clientB.ProxyAsync("/echo/x", admin.Token), 503, "signing_key_retired");
        var ready = await clientB.GetAsync("/readyz");
        ProblemAssert.Problem(ready, 503, "not_ready");
        Assert.Contains("assertion signing key is past its retire_at", ready.GetString("detail"), StringComparison.Ordinal);

        // A node with only epoch 1 does not start at all now.
        var refused = await Assert.ThrowsAsync<Keyward.Server.Http.KeywardStartupException>(() => StartHostAsync(now: nodeA.Time.GetUtcNow()));
        Assert.Contains("do not open under Keyward:Vault:Keys", refused.Message, StringComparison.Ordinal);
    }

    private static string WriteSecondKek(string directory)
    {
        var path = Path.Combine(directory, "cluster-kek-2.key");
        File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    private static IdentityAssertion SignedAssertion(ECDsa key, string keyId)
    {
        static string Encode(string json) => Keyward.WebAuthn.Base64Url.Encode(Encoding.UTF8.GetBytes(json));
        var input = Encode($"{{\"alg\":\"ES256\",\"kid\":\"{keyId}\"}}") + "." + Encode("{\"sub\":\"admin\"}");
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return IdentityAssertion.Parse(input + "." + Keyward.WebAuthn.Base64Url.Encode(signature));
    }

    protected async Task PostgresWithoutClusterKekRefusesToStartAsync()
    {
        var refused = await Assert.ThrowsAsync<Keyward.Server.Http.KeywardStartupException>(() => StartHostAsync(s => s.Remove("Keyward:Vault:Keys:1:File")));

        Assert.Contains("Keyward:Vault:Keys:1:File", refused.Message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", refused.Message, StringComparison.Ordinal);
        Assert.Contains("every node", refused.Message, StringComparison.Ordinal);
    }

    private static Task RefreshKeysAsync(KeywardTestHost host) => host.GetService<ClusterSigningKeys>().RefreshAsync(CancellationToken.None);

    private static async Task AdvanceBothAsync(KeywardTestHost a, KeywardTestHost b, TimeSpan by)
    {
        a.Time.Advance(by);
        b.Time.Advance(by);
        await RefreshKeysAsync(a);
        await RefreshKeysAsync(b);
    }

    private static async Task<JsonElement> JwksAsync(KeywardTestClient client, string path)
    {
        var answer = await client.GetAsync(path);
        ProblemAssert.Ok(answer);
        return answer.Json;
    }

    private static async Task<List<string>> ExportLinesAsync(KeywardTestHost host, IReadOnlyList<AuditExportKey> history)
    {
        using var output = new MemoryStream();
        await new AuditExporter(host.GetService<KeywardDatabase>(), host.Time).ExportAsync(output, history);
        return [.. Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static async Task<AuditVerification> VerifyLinesAsync(IEnumerable<string> lines)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        return await AuditExportVerifier.VerifyAsync(stream);
    }
}
