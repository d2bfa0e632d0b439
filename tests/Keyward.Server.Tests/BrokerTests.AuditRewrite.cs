using System.Security.Cryptography;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace Keyward.Server.Tests;

/// <summary>
/// Finding 2 of the console review (review14): the audit viewer says "verified" catches a database edited behind
/// Keyward's back, but an editor who also rewrote the stored tree (the event's leaf hash and every node above it) only
/// had to wait for the log to grow: Keyward signed the next head over the rewritten tree, and the edited event then
/// verified in the browser. A new head must extend the latest signed one (RFC 9162 §2.1.4), or none is signed.
/// </summary>
public abstract partial class BrokerTests
{
    [Fact]
    public async Task AuditTreeHead_AfterTheStoredTreeWasRewrittenInTheDatabase_IsNotSigned()
    {
        var first = await StartHostAsync();
        var client = ClientOf(first);
        await client.RegisterAdminAsync(first.SetupCode!);
        var admin = await client.LoginAsync("admin");
        var honest = await client.GetAsync("/api/audit/sth", admin.Token);
        ProblemAssert.Ok(honest);
        var stoppedAt = first.Time.GetUtcNow();
        await first.DisposeAsync();

        // Behind Keyward's back (it is stopped): the admin's sign-in becomes another action, and its leaf hash and every
        // stored node are recomputed so the stored tree is whole again.
        string edited;
        var storage = new ConfigurationBuilder().AddInMemoryCollection(_storage.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))).Build()
            .GetSection("Keyward:Storage").Get<StorageOptions>() ?? new StorageOptions();
        await using (var db = new KeywardDatabase(storage, _data.Path).CreateContext())
        {
            var rows = await db.AuditEvents.OrderBy(e => e.Sequence).ToListAsync();
            var victim = rows.Last(e => e.Action == AuditActions.SignInSucceeded);
            victim.Action = "signin.looked_fine";
            victim.LeafHash = AuditCanonical.LeafHash(new AuditEvent
            {
                Sequence = victim.Sequence,
                Time = victim.Time,
                TenantId = victim.TenantId,
                Actor = victim.Actor,
                Action = victim.Action,
                Target = victim.Target,
                Outcome = victim.Outcome,
                ClientAddress = victim.ClientAddress,
                Details = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(victim.Details)!,
            });
            var leaves = rows.Select(r => r.LeafHash).ToList();
            foreach (var node in await db.AuditNodes.ToListAsync())
            {
                node.Hash = SubtreeHash(leaves, node.Index << node.Level, 1L << node.Level);
            }

            await db.SaveChangesAsync();
            edited = $"{victim.Sequence}";
        }

        // Keyward starts again, the log grows, and the console's viewer asks for the latest head.
        var second = await StartHostAsync(now: stoppedAt.AddMinutes(1));
        var again = ClientOf(second);
        Assert.Equal("admin", (await again.LoginAsync("admin", client.Key)).Account);
        var head = await again.GetAsync("/api/audit/sth", admin.Token);
        Assert.True(head.StatusCode == 503, $"a head was signed over the rewritten event {edited}: {head}");
        ProblemAssert.Problem(head, 503, "audit_unavailable");
    }

    // RFC 6962 §2.1: the root of count leaves starting at start (count a power of two).
    private static byte[] SubtreeHash(List<byte[]> leaves, long start, long count)
    {
        if (count == 1)
        {
            return leaves[(int)start];
        }

        var half = count / 2;
        return SHA256.HashData([0x01, .. SubtreeHash(leaves, start, half), .. SubtreeHash(leaves, start + half, half)]);
    }
}
