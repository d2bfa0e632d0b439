using System.Text;
using System.Text.Json.Nodes;
using Keyward.Core.Audit;
using Keyward.Core.Audit.Export;
using Keyward.Server.Audit;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>An audit outage never keeps a credential alive: revocations take effect and their events wait in the spool.</summary>
public abstract partial class BrokerTests
{
    [Fact]
    public async Task AuditOutage_Revocations_TakeEffectAndAreSpooledWhileEverythingElseStill503s()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        var (bob, _) = await AddUserAsync(broker, "bob");
        var adminSecond = await client.LoginAsync("admin");
        var spareKey = KeywardTestClient.NewKey();
        var spare = await client.AddKeyAsync(admin.Token, spareKey, "spare");
        var onSpare = await client.LoginAsync("admin", spareKey);
        await client.StepUpAsync(admin.Token, "admin");
        await client.StepUpAsync(admin.Token, "key.remove", spare.Key.Id.ToString());
        var logBefore = (await AllEventsAsync(host)).Count;

        host.Audit.Failing = true;
        ProblemAssert.Ok(await client.DeleteAsync($"/session/{adminSecond.Id}", admin.Token), 204);
        ProblemAssert.Ok(await client.PostAsync("/api/admin/accounts/bob/revoke-sessions", token: admin.Token));
        ProblemAssert.Ok(await client.DeleteAsync($"/api/keys/{spare.Key.Id}", admin.Token));

        // Not revocations: they still fail closed, and nothing reaches the upstream.
        ProblemAssert.Problem(await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "dave", ["role"] = "user" }, admin.Token), 503, "audit_unavailable");
        // A request with no credential is only counted (one aggregated event later, docs/audit.md), so the outage does
        // not change its answer; it never reaches the upstream either.
        ProblemAssert.Problem(await client.ProxyAsync("/echo/anyone", null), 401, "session_missing");
        var (ceremony, assertion) = await client.BeginAndGetAssertionAsync("admin", client.Key);
        ProblemAssert.Problem(await client.LoginFinishAsync(ceremony, assertion), 503, "audit_unavailable");
        Assert.Equal(0, Echo.RequestCount);

        var logout = await client.LogoutAsync(admin.Token);
        ProblemAssert.Ok(logout);
        Assert.Contains(logout.Headers.GetValues("Set-Cookie"), c => c.StartsWith(Keyward.Server.Sessions.SessionAuthenticationDefaults.CookieName + "=;", StringComparison.Ordinal));

        // Every revoked credential is refused at once, with the log still down (the refusal itself cannot be recorded,
        // so it is a 503; a live session would get 200) and nothing reaches the upstream.
        foreach (var revoked in new[] { admin, adminSecond, bob, onSpare })
        {
            ProblemAssert.Problem(await client.StatusAsync(revoked.Token), 503, "audit_unavailable");
            ProblemAssert.Problem(await client.ProxyAsync("/echo/x", revoked.Token), 503, "audit_unavailable");
        }

        Assert.Equal(0, Echo.RequestCount);
        host.Audit.Failing = false;
        ProblemAssert.Problem(await client.StatusAsync(admin.Token), 401, "session_logged_out");
        ProblemAssert.Problem(await client.StatusAsync(adminSecond.Token), 401, "session_revoked");
        ProblemAssert.Problem(await client.StatusAsync(bob.Token), 401, "session_revoked");
        ProblemAssert.Problem(await client.StatusAsync(onSpare.Token), 401, "session_authenticator_removed");

        // The four events wait in the owner-only spool, not yet in the log (the refusals above are there).
        var spool = host.GetService<AuditSpool>();
        Assert.False(spool.IsEmpty);
        Assert.Equal(AuditSpoolFile.Path(host.DataDirectory), spool.FilePath);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(spool.FilePath));
        }

        var logged = await AllEventsAsync(host);
        Assert.DoesNotContain(logged.Skip(logBefore), e => e.Outcome == AuditOutcomes.Success);
    }

    [Fact]
    public async Task AuditOutage_Recovery_DrainsTheSpoolInOrderWithOriginalTimesAndTheExportVerifies()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        var (bob, _) = await AddUserAsync(broker, "bob");
        await client.StepUpAsync(admin.Token, "admin");

        host.Audit.Failing = true;
        var revokedAt = host.Time.GetUtcNow();
        ProblemAssert.Ok(await client.PostAsync("/api/admin/accounts/bob/revoke-sessions", token: admin.Token));
        host.Time.Advance(TimeSpan.FromSeconds(1));
        var loggedOutAt = host.Time.GetUtcNow();
        ProblemAssert.Ok(await client.LogoutAsync(admin.Token));

        // Still down at the next interval: the drain fails and the spool stays.
        host.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, await host.GetService<AuditSpoolService>().DrainAsync(CancellationToken.None));
        Assert.False(host.GetService<AuditSpool>().IsEmpty);

        // Recovered: the next interval appends the spool.
        host.Audit.Failing = false;
        host.Time.Advance(TimeSpan.FromSeconds(5));
        await WaitForEmptySpoolAsync(host);

        var events = await AllEventsAsync(host);
        var spooled = events.Where(e => e.Details.ContainsKey("spool_id")).ToList();
        Assert.Equal([AuditActions.SessionsRevokedAll, AuditActions.SessionEnded], spooled.Select(e => e.Action));
        Assert.Equal([revokedAt.ToUnixTimeMilliseconds(), loggedOutAt.ToUnixTimeMilliseconds()], spooled.Select(e => e.Time));
        Assert.All(spooled, e => Assert.Equal(("admin", AuditOutcomes.Success, "true"), (e.Actor, e.Outcome, e.Details["spooled"])));
        Assert.Equal(("bob", admin.Id.ToString()), (spooled[0].Target, spooled[1].Target));
        Assert.Equal(bob.Account, spooled[0].Target);

        // The export holds them and verifies against a tree head signed after the drain.
        await host.GetService<AuditTreeHeads>().SignIfGrownAsync();
        using var output = new MemoryStream();
        await new AuditExporter(host.GetService<Core.Storage.KeywardDatabase>(), host.Time).ExportAsync(output, [host.GetService<AuditSigningKey>().SubjectPublicKeyInfo]);
        var export = Encoding.UTF8.GetString(output.ToArray());
        var verified = await AuditExportVerifier.VerifyAsync(new MemoryStream(output.ToArray()), null);
        Assert.True(verified.Status == AuditVerificationStatus.Intact, verified.Message);
        Assert.Equal(events.Count, verified.Events);
        Assert.All(spooled, e => Assert.Contains(e.Details["spool_id"], export, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuditOutage_RestartWithSpooledEvents_DrainsThemBeforeServing()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        host.Audit.Failing = true;
        ProblemAssert.Ok(await client.LogoutAsync(admin.Token));
        var stoppedAt = host.Time.GetUtcNow();
        await host.DisposeAsync();

        var restarted = await StartHostAsync(now: stoppedAt.AddMinutes(1));

        Assert.True(restarted.GetService<AuditSpool>().IsEmpty);
        var ended = (await AllEventsAsync(restarted)).Single(e => e.Action == AuditActions.SessionEnded);
        Assert.Equal((admin.Id.ToString(), "true", stoppedAt.ToUnixTimeMilliseconds()), (ended.Target, ended.Details["spooled"], ended.Time));
        ProblemAssert.Problem(await ClientOf(restarted).StatusAsync(admin.Token), 401, "session_logged_out");
    }

    [Fact]
    public async Task AuditOutage_SpoolFull_LogoutStillTakesEffect()
    {
        var (host, client, admin) = await StartWithAdminAsync(s => s["Keyward:Audit:SpoolMaxBytes"] = "65536");
        var spool = host.GetService<AuditSpool>();
        var filler = new AuditRecord
        {
            Actor = "system",
            Action = AuditActions.SessionEnded,
            Outcome = AuditOutcomes.Success,
            Details = new Dictionary<string, string> { ["pad"] = new string('p', 1000) },
        };
        // Full: not even a record smaller than the logout's fits.
        var added = 0;
        while (added < 200 && await spool.AppendAsync(filler))
        {
            added++;
        }

        while (added < 1000 && await spool.AppendAsync(filler with { Details = new Dictionary<string, string>() }))
        {
            added++;
        }

        var full = spool.Length;
        host.Audit.Failing = true;
        ProblemAssert.Ok(await client.LogoutAsync(admin.Token));
        ProblemAssert.Problem(await client.StatusAsync(admin.Token), 503, "audit_unavailable");
        host.Audit.Failing = false;

        ProblemAssert.Problem(await client.StatusAsync(admin.Token), 401, "session_logged_out");
        Assert.Equal(full, spool.Length);
    }

    /// <summary>Waits for the spool service's drain, started by the fake clock's tick, to finish.</summary>
    private static async Task WaitForEmptySpoolAsync(KeywardTestHost host)
    {
        var spool = host.GetService<AuditSpool>();
        for (var i = 0; i < 500 && !spool.IsEmpty; i++)
        {
            await Task.Delay(20);
        }

        Assert.True(spool.IsEmpty, "The spool was not drained after the audit log recovered.");
    }
}
