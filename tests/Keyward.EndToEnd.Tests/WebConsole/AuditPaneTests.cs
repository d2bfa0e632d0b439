using System.Text.Json;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.EndToEnd.Tests.Broker;
using Keyward.EndToEnd.Tests.Browser;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Keyward.EndToEnd.Tests.WebConsole;

/// <summary>
/// The console's audit viewer (issue 14 item 3) in Chromium against the real Keyward: an admin filters the log, the
/// browser verifies an event's inclusion proof against the signed tree head (WebCrypto), and after the test edits that
/// event's row in the SQLite file behind Keyward's back, the same check says it does not verify. proof.js is also run
/// against vectors computed by Keyward.Core. A user sees no audit pane, is refused the admin audit API, and sees only
/// their own events in the account pane.
/// </summary>
[Trait("Category", "Browser")]
public sealed class AuditPaneTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task AuditPane_VerifiesAnEventInTheBrowser_ThenFlagsItOnceItsRowIsEdited()
    {
        await using var keyward = await ConsoleHost.StartAsync();
        await using var page = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.Page.SetViewportSizeAsync(1440, 900);
        await ConsolePage.WatchCspAsync(page.Page);
        var errors = ConsolePage.WatchUncaughtErrors(page.Page);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(keyward.SetupCode, "alice", "Blue key");
        await page.SignInAsync("alice", "alice");

        await page.GoToAsync("/console/#audit");
        await page.ExpectAsync("the Audit link marked current", () => Expect(page.Page.GetByRole(AriaRole.Link, new() { Name = "Audit" })).ToHaveAttributeAsync("aria-current", "page"));
        await page.ExpectTextAsync("#audit-head", "signature verified");
        await page.ExpectTextAsync(".audit-proves", "not protect against a compromised Keyward server");

        // Filter to alice's sign-in (actor, action, outcome and a time range around now).
        var signIn = (await keyward.Services.GetRequiredService<AuditReader>().ListAsync(
            new AuditQuery { Actor = "alice", Action = AuditActions.SignInSucceeded, Latest = true, Limit = 1 })).Events.Single();
        await page.Page.GetByLabel("Actor").FillAsync("alice");
        await page.Page.GetByLabel("Action").FillAsync(AuditActions.SignInSucceeded);
        await page.Page.GetByLabel("Outcome").SelectOptionAsync("success");
        await page.Page.GetByLabel("From (your time)").FillAsync(DateTime.Now.AddHours(-1).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Show events" }).ClickAsync();
        await page.ExpectAsync("one event listed", () => Expect(page.Page.Locator("#audit-events tbody tr")).ToHaveCountAsync(1));
        await page.ExpectTextAsync("#audit-events", AuditActions.SignInSucceeded);
        // Details are shown as key="value", each value quoted, so a value cannot pass for another detail.
        var (detailKey, detailValue) = signIn.Details.OrderBy(d => d.Key, StringComparer.Ordinal).First();
        await page.ExpectTextAsync("#audit-events", $"{detailKey}=\"{detailValue}\"");

        var proof = $"#audit-proof-{signIn.Sequence}";
        await page.Page.GetByRole(AriaRole.Button, new() { Name = $"Verify event {signIn.Sequence}", Exact = true }).ClickAsync();
        await page.ExpectTextAsync(proof, "✓ verified");
        await page.ExpectTextAsync(proof, $"leaf {signIn.Sequence} of the signed tree");
        await ConsoleChecks.CheckPageAsync(page, output, "the audit pane at 1440 px");

        // Edit the event's row in the database behind Keyward's back: details and action, leaf hash untouched.
        await using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(keyward.DataDirectory, "keyward.db"), Pooling = false }.ToString()))
        {
            await db.OpenAsync();
            await using var update = db.CreateCommand();
            update.CommandText = "UPDATE audit_events SET \"Action\" = 'signin.looked_fine', \"Details\" = '{\"note\":\"nothing to see\"}' WHERE \"Sequence\" = $sequence";
            update.Parameters.AddWithValue("$sequence", signIn.Sequence);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        await page.Page.GetByLabel("Action").FillAsync(string.Empty);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Show events" }).ClickAsync();
        await page.ExpectTextAsync("#audit-events", "signin.looked_fine");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = $"Verify event {signIn.Sequence}", Exact = true }).ClickAsync();
        await page.ExpectTextAsync(proof, "✗ does not verify");
        await page.ExpectTextAsync(proof, "changed after it was logged");

        // Every other shown event still verifies: only the edited one is flagged.
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Verify all shown" }).ClickAsync();
        await page.ExpectTextAsync("#message", "1 of ");
        await page.ExpectTextAsync("#message", "shown events do not verify.");
        var verdicts = await page.Page.Locator("#audit-events .audit-verdict").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.verdict)");
        await page.CheckAsync(() =>
        {
            Assert.True(verdicts.Length > 1, $"{verdicts.Length} events shown");
            Assert.Equal(1, verdicts.Count(v => v == "failed"));
            Assert.Equal(verdicts.Length - 1, verdicts.Count(v => v == "verified"));
        });

        // The download holds the shown events with their verdicts and proofs.
        var download = await page.Page.RunAndWaitForDownloadAsync(() => page.Page.GetByRole(AriaRole.Button, new() { Name = "Download shown events" }).ClickAsync());
        using (var saved = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)))
        {
            var edited = saved.RootElement.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("sequence").GetInt64() == signIn.Sequence);
            Assert.Equal("does not verify", edited.GetProperty("verdict").GetString());
            Assert.Equal(signIn.Sequence, edited.GetProperty("proof").GetProperty("sequence").GetInt64());
            Assert.Equal(JsonValueKind.Object, saved.RootElement.GetProperty("tree_head").ValueKind);
        }

        // The whole log, from the export link with the session cookie: the offline verifier names the same edited event.
        var whole = await page.Page.RunAndWaitForDownloadAsync(() => page.Page.GetByRole(AriaRole.Link, new() { Name = "Export the whole log" }).ClickAsync());
        await using (var file = File.OpenRead((await whole.PathAsync())!))
        {
            var verdict = await Keyward.Core.Audit.Export.AuditExportVerifier.VerifyAsync(file);
            Assert.True(verdict.Status == Keyward.Core.Audit.Export.AuditVerificationStatus.Tampered, verdict.Message);
            Assert.Equal(signIn.Sequence, verdict.Sequence);
        }

        await page.Page.SetViewportSizeAsync(360, 740);
        await ConsoleChecks.CheckPageAsync(page, output, "the audit pane at 360 px");
        await page.CheckAsync(() => Assert.Empty(errors));
    }

    [Fact]
    public async Task ProofModule_AgreesWithKeywardCore_OnHashesPathsAndSignatures()
    {
        await using var keyward = await ConsoleHost.StartAsync();
        await using var page = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync("/console/");

        // An event with everything canonical JSON must get right: quotes, backslashes, controls, non-ASCII, an astral
        // character, keys whose UTF-16 order differs from other orders, a null target and client.
        var tricky = new AuditEvent
        {
            Sequence = 5,
            Time = 1_767_225_600_123,
            TenantId = "default",
            Actor = "zoë \"the\" admin",
            Action = "key.renamed",
            Target = null,
            Outcome = AuditOutcomes.Success,
            ClientAddress = null,
            Details = new Dictionary<string, string> { ["name"] = "a\\b\n\t\u0001\u007f 🔑", ["Name"] = "upper", ["é"] = "accent", ["\uFB01"] = "ligature", ["🔑"] = "astral", ["10"] = "digits" },
        };
        var leaves = Enumerable.Range(0, 7).Select(i => i == 5 ? AuditCanonical.LeafHash(tricky) : MerkleTree.HashLeaf([(byte)i])).ToArray();
        byte[] Node(MerkleNodeId id) => id.Level == 0 ? leaves[id.Index] : MerkleTree.HashChildren(Node(new(id.Level - 1, id.Index * 2)), Node(new(id.Level - 1, (id.Index * 2) + 1)));
        var root = MerkleTree.RootHash(7, Node);
        var path = MerkleTree.InclusionProof(5, 7, Node);
        using var key = AuditSigningKey.Generate();
        var signature = key.Sign(SignedTreeHead.SignatureInput(7, 1_767_225_601_000, root));

        var vectors = JsonSerializer.Serialize(new
        {
            @event = new { sequence = tricky.Sequence, time = tricky.Time, tenant = tricky.TenantId, actor = tricky.Actor, action = tricky.Action, target = tricky.Target, outcome = tricky.Outcome, client = tricky.ClientAddress, details = tricky.Details },
            leaf = Convert.ToBase64String(leaves[5]),
            root = Convert.ToBase64String(root),
            path = path.Select(Convert.ToBase64String).ToArray(),
            head = new { tree_size = 7, root_hash = Convert.ToBase64String(root), timestamp = 1_767_225_601_000, key_id = key.KeyId, signature = Convert.ToBase64String(signature) },
            pem = key.PublicKeyPem,
        });
        var results = await page.Page.EvaluateAsync<JsonElement>("""
            async json => {
              const v = JSON.parse(json);
              const p = await import('/console/panes/audit/proof.js');
              const b64 = bytes => btoa(String.fromCharCode(...bytes));
              const leaf = p.fromBase64(v.leaf), root = p.fromBase64(v.root), path = v.path.map(p.fromBase64);
              const spki = p.pemToSpki(v.pem);
              const flipped = { ...v.head, signature: b64(p.fromBase64(v.head.signature).map((b, i, a) => (i === a.length - 1 ? b ^ 1 : b))) };
              const proof = { sequence: 5, tree_size: 7, leaf_hash: v.leaf, audit_path: v.path };
              return {
                leaf: b64(await p.eventLeafHash(v.event)),
                included: await p.verifyInclusion(5, 7, leaf, path, root),
                wrongIndex: await p.verifyInclusion(4, 7, leaf, path, root),
                size6: await p.verifyInclusion(5, 6, leaf, path, root),
                size8: await p.verifyInclusion(5, 8, leaf, path, root),
                shortPath: await p.verifyInclusion(5, 7, leaf, path.slice(1), root),
                signed: (await p.verifyTreeHead(v.head, spki)).ok,
                flipped: (await p.verifyTreeHead(flipped, spki)).ok,
                laterTime: (await p.verifyTreeHead({ ...v.head, timestamp: v.head.timestamp + 1 }, spki)).ok,
                otherKey: (await p.verifyTreeHead({ ...v.head, key_id: 'someone-else' }, spki)).ok,
                event: (await p.verifyEvent(v.event, proof, v.head)).ok,
                edited: (await p.verifyEvent({ ...v.event, outcome: 'denied' }, proof, v.head)).ok,
                badDer: p.derToP1363(Uint8Array.of(0x30, 0x03, 0x02, 0x01)) === null,
              };
            }
            """, vectors);

        output.WriteLine(results.ToString());
        Assert.Equal(Convert.ToBase64String(leaves[5]), results.GetProperty("leaf").GetString());
        Assert.True(results.GetProperty("included").GetBoolean());
        Assert.False(results.GetProperty("wrongIndex").GetBoolean());
        // The path alone does not pin the tree size (the signed head does): the browser agrees with Core either way.
        Assert.Equal(MerkleTree.VerifyInclusion(5, 6, leaves[5], path, root), results.GetProperty("size6").GetBoolean());
        Assert.Equal(MerkleTree.VerifyInclusion(5, 8, leaves[5], path, root), results.GetProperty("size8").GetBoolean());
        Assert.False(results.GetProperty("shortPath").GetBoolean());
        Assert.True(results.GetProperty("signed").GetBoolean());
        Assert.False(results.GetProperty("flipped").GetBoolean());
        Assert.False(results.GetProperty("laterTime").GetBoolean());
        Assert.False(results.GetProperty("otherKey").GetBoolean());
        Assert.True(results.GetProperty("event").GetBoolean());
        Assert.False(results.GetProperty("edited").GetBoolean());
        Assert.True(results.GetProperty("badDer").GetBoolean());
    }

    [Fact]
    public async Task AuditPane_User_SeesNoAuditPaneIsRefusedTheAuditApiAndSeesOnlyTheirOwnEvents()
    {
        await using var keyward = await ConsoleHost.StartAsync();
        var invite = await keyward.InviteAsync("bob", Roles.User);
        await using var page = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.Page.SetViewportSizeAsync(360, 740);
        await ConsolePage.WatchCspAsync(page.Page);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(keyward.SetupCode, "alice", "Blue key");
        await page.SignInAsync("alice", "alice");
        await page.SignOutAsync();
        await page.Page.GetByLabel("Invite", new() { Exact = true }).FillAsync(invite);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Register with invite" }).ClickAsync();
        await page.ExpectTextAsync("#message", "registered for bob (user)");
        await page.SignInAsync("bob", "bob");

        await page.GoToAsync("/console/#audit");
        await page.ExpectTextAsync("#identity", "bob");
        await page.ExpectAsync("no Audit link", () => Expect(page.Page.GetByRole(AriaRole.Link, new() { Name = "Audit" })).ToHaveCountAsync(0));
        await page.ExpectAsync("the account pane instead", () => Expect(page.Page.Locator("#audit-events")).ToHaveCountAsync(0));
        await page.ExpectTextAsync("#account-events", "signin.succeeded");
        var shown = await page.Page.Locator("#account-events").InnerTextAsync();
        await page.CheckAsync(() => Assert.DoesNotContain("alice", shown, StringComparison.Ordinal));

        var refused = await page.Page.EvaluateAsync<JsonElement>("""
            async () => Promise.all(['/api/audit/events', '/api/audit/sth', '/api/audit/proof/inclusion?sequence=0&tree_size=1'].map(async path => {
              const response = await fetch(path, { credentials: 'same-origin' });
              return { status: response.status, code: (await response.json()).code };
            }))
            """);
        await page.CheckAsync(() => Assert.All(Statuses(refused), r => Assert.Equal((403, "role_required"), r)));
        await ConsoleChecks.CheckPageAsync(page, output, "the account pane for a user at 360 px");

        static IEnumerable<(int, string)> Statuses(JsonElement array) =>
            array.EnumerateArray().Select(r => (r.GetProperty("status").GetInt32(), r.GetProperty("code").GetString()!));
    }
}
