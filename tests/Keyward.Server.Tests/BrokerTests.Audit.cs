using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    [Fact]
    public async Task Audit_EveryBrokerDecision_IsRecordedInOrderWithoutSecrets()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var setupCode = host.SetupCode!;
        var invite = await client.CreateInviteAsync(admin.Token, "bob", "user");
        var bobKey = KeywardTestClient.NewKey();
        await client.RegisterWithInviteAsync(invite, bobKey);
        var bob = await client.LoginAsync("bob", bobKey);
        var bobSecond = await client.LoginAsync("bob", bobKey);

        // Refusals: an unknown ceremony, no credential at all on a proxied route (metered, not audited), the wrong role
        // for one, a garbage token on the API (counted).
        var (_, assertion) = await client.BeginAndGetAssertionAsync("admin", client.Key);
        ProblemAssert.Problem(await client.LoginFinishAsync(Guid.NewGuid(), assertion), 400, "ceremony_invalid");
        ProblemAssert.Problem(await client.ProxyAsync("/echo/anyone", null), 401, "session_missing");
        ProblemAssert.Problem(await client.ProxyAsync("/admins/panel", bob.Token), 403, "role_required");
        ProblemAssert.Problem(await client.GetAsync("/session/list", token: "kws_" + new string('0', 43)), 401, "session_invalid");
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["invite"] = "kwi_not-a-real-invite" }), 401, "invite_invalid");
        ProblemAssert.Problem(await client.DeleteAsync($"/session/{admin.Id}", bob.Token), 404, "session_not_found");

        // Keys, sessions, admin actions.
        var spare = await client.AddKeyAsync(admin.Token, KeywardTestClient.NewKey(), "spare");
        ProblemAssert.Ok(await client.SendAsync(HttpMethod.Patch, $"/api/keys/{spare.Key.Id}", new JsonObject { ["name"] = "drawer" }, admin.Token), 204);
        await client.StepUpAsync(admin.Token, "key.remove", spare.Key.Id.ToString());
        ProblemAssert.Ok(await client.DeleteAsync($"/api/keys/{spare.Key.Id}", admin.Token));
        ProblemAssert.Ok(await client.DeleteAsync($"/session/{bobSecond.Id}", bob.Token), 204);
        ProblemAssert.Ok(await client.PostAsync("/api/admin/accounts/bob/revoke-sessions", token: admin.Token));
        ProblemAssert.Ok(await client.LogoutAsync(admin.Token));

        // Refusals without a credential are counted per address and written when the interval closes (issue 16, item 7).
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.GetService<Keyward.Server.Audit.RefusalCounter>().FlushAsync();
        var events = await AllEventsAsync(host);
        var trail = events.Select(e => (e.Actor, e.Action, e.Outcome)).ToList();
        AssertInOrder(trail,
        [
            ("system", AuditActions.SetupCodeIssued, AuditOutcomes.Success),
            ("admin", AuditActions.KeyRegistered, AuditOutcomes.Success),
            ("admin", AuditActions.SetupCodeUsed, AuditOutcomes.Success),
            ("admin", AuditActions.SignInSucceeded, AuditOutcomes.Success),
            ("admin", AuditActions.SessionCreated, AuditOutcomes.Success),
            ("admin", AuditActions.InviteCreated, AuditOutcomes.Success),
            ("bob", AuditActions.KeyRegistered, AuditOutcomes.Success),
            ("bob", AuditActions.InviteUsed, AuditOutcomes.Success),
            ("bob", AuditActions.SignInSucceeded, AuditOutcomes.Success),
            ("bob", AuditActions.SessionCreated, AuditOutcomes.Success),
            ("bob", AuditActions.SignInSucceeded, AuditOutcomes.Success),
            ("bob", AuditActions.SessionCreated, AuditOutcomes.Success),
            ("anonymous", AuditActions.SignInFailed, AuditOutcomes.Denied),
            ("bob", AuditActions.ProxyDenied, AuditOutcomes.Denied),
            ("anonymous", AuditActions.KeyRegistrationFailed, AuditOutcomes.Denied),
            ("bob", AuditActions.SessionRevoked, AuditOutcomes.Denied),
            ("admin", AuditActions.KeyRegistered, AuditOutcomes.Success),
            ("admin", AuditActions.KeyRenamed, AuditOutcomes.Success),
            ("admin", AuditActions.KeyRemoved, AuditOutcomes.Success),
            ("bob", AuditActions.SessionRevoked, AuditOutcomes.Success),
            ("admin", AuditActions.SessionsRevokedAll, AuditOutcomes.Success),
            ("admin", AuditActions.SessionEnded, AuditOutcomes.Success),
        ]);

        var failed = events.Single(e => e.Action == AuditActions.SignInFailed);
        Assert.Equal("ceremony_invalid", failed.Details["code"]);
        Assert.Equal("admins", events.Single(e => e.Action == AuditActions.ProxyDenied && e.Actor == "bob").Target);
        Assert.Equal(bobSecond.Id.ToString(), events.Single(e => e.Action == AuditActions.SessionRevoked && e.Outcome == AuditOutcomes.Success).Target);
        Assert.DoesNotContain(events, e => e.Action == AuditActions.AccessDenied);
        var counted = events.Single(e => e.Action == AuditActions.UnauthenticatedRefusals);
        Assert.Equal(("anonymous", "1", "session_invalid=1"), (counted.Actor, counted.Details["count"], counted.Details["codes"]));
        Assert.Equal($"{AuditActions.AccessDenied} /session/list=1", counted.Details["targets"]);
        Assert.Equal("invite_invalid", events.Single(e => e.Action == AuditActions.KeyRegistrationFailed).Details["code"]);
        Assert.Equal(admin.Id.ToString(), events.Single(e => e.Action == AuditActions.SessionEnded).Target);

        // No credential in any field of any event: neither the ones handed out here nor anything shaped like one.
        string[] secrets = [setupCode, invite, admin.Token, bob.Token, bobSecond.Token];
        foreach (var e in events)
        {
            var text = string.Join('\n', new[] { e.Actor, e.Action, e.Target, e.Outcome, e.ClientAddress }.Concat(e.Details.Keys).Concat(e.Details.Values));
            Assert.DoesNotContain(secrets, s => text.Contains(s, StringComparison.Ordinal) || text.Contains(s[..^4], StringComparison.Ordinal));
            Assert.False(CredentialShaped().IsMatch(text), $"Event {e.Sequence} ({e.Action}) holds something shaped like a credential: {text}");
        }
    }

    [Fact]
    public async Task Audit_WriteFails_SignInAnswers503AndLeavesNoUsableSession()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var (ceremony, assertion) = await client.BeginAndGetAssertionAsync("admin", client.Key);

        host.Audit.Failing = true;
        var finished = await client.LoginFinishAsync(ceremony, assertion);
        host.Audit.Failing = false;

        ProblemAssert.Problem(finished, 503, "audit_unavailable");
        Assert.False(finished.Headers.Contains("Set-Cookie"), "A session cookie went out for a sign-in that was not recorded.");
        Assert.False(TokenLeaks.Contains(finished.Body));
        var sessions = await client.GetAsync("/session/list", admin.Token);
        ProblemAssert.Ok(sessions);
        Assert.Equal([admin.Id.ToString()], sessions.Json.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Audit_WriteFails_RegistrationAnswers503AndLeavesNoAccount()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var invite = await client.CreateInviteAsync(admin.Token, "carol", "user");
        var (ceremony, credential) = await client.BeginAndMakeCredentialAsync(new JsonObject { ["invite"] = invite }, KeywardTestClient.NewKey());

        host.Audit.Failing = true;
        var finished = await client.RegisterFinishAsync(ceremony, credential, invite: invite);
        host.Audit.Failing = false;

        ProblemAssert.Problem(finished, 503, "audit_unavailable");
        var accounts = host.GetService<AccountService>();
        Assert.Null(await accounts.FindAccountAsync("carol"));
        await using var db = host.GetService<KeywardDatabase>().CreateContext();
        Assert.Equal(1, await db.Authenticators.CountAsync());

        // Documented: the invite was spent on the attempt, so a retry needs a new one, which works.
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["invite"] = invite }), 401, "invite_invalid");
        var registered = await client.RegisterWithInviteAsync(await client.CreateInviteAsync(admin.Token, "carol", "user"), KeywardTestClient.NewKey());
        Assert.Equal("carol", registered.Account);
    }

    [Fact]
    public async Task Audit_WriteFails_InvitesAndProxyRefusalsDoNothing()
    {
        // Revocations are the exception (they take effect and spool their events): BrokerTests.AuditSpool.cs.
        var (host, client, admin) = await StartWithAdminAsync();
        await using var db = host.GetService<KeywardDatabase>().CreateContext();
        var invitesBefore = await db.Invites.CountAsync();
        await client.StepUpAsync(admin.Token, "admin");

        host.Audit.Failing = true;
        ProblemAssert.Problem(await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "dave", ["role"] = "user" }, admin.Token), 503, "audit_unavailable");
        var refused = await client.ProxyAsync("/echo/anyone", null);
        var upstreamCalls = Echo.RequestCount;
        host.Audit.Failing = false;

        // A refusal without a credential needs no event of its own (it is counted), so it stays a refusal.
        ProblemAssert.Problem(refused, 401, "session_missing");
        Assert.Equal(0, upstreamCalls);
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));
        Assert.Equal(invitesBefore, await db.Invites.CountAsync());
        Assert.True(host.GetService<Keyward.Core.Audit.AuditSpool>().IsEmpty);
    }

    [Fact]
    public async Task Audit_OverlongClientInput_IsStillRecordedAndRefused()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var longName = new string('n', 600);

        ProblemAssert.Problem(await client.PostAsync($"/api/admin/accounts/{longName}/revoke-sessions", token: "kws_" + new string('0', 43)), 401, "session_invalid");

        // A name longer than any account's is refused before any work, and nothing of it is recorded.
        ProblemAssert.Problem(await client.LoginBeginAsync(longName), 400, "username_required");

        // With a garbage credential, the refusal is counted; the sample keeps the path's first 100 characters only.
        await host.GetService<Keyward.Server.Audit.RefusalCounter>().FlushAsync();
        var events = await AllEventsAsync(host);
        var counted = events.Single(e => e.Action == AuditActions.UnauthenticatedRefusals);
        var target = counted.Details["targets"][..counted.Details["targets"].LastIndexOf('=')];
        Assert.Equal(100, target.Length);
        Assert.StartsWith($"{AuditActions.AccessDenied} /api/admin/accounts/nnn", target, StringComparison.Ordinal);
        Assert.EndsWith("…", target, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Actor.Contains("nnnn", StringComparison.Ordinal));
    }

    private static async Task<List<AuditEvent>> AllEventsAsync(KeywardTestHost host)
    {
        var reader = host.GetService<AuditReader>();
        var events = new List<AuditEvent>();
        long? after = null;
        do
        {
            var page = await reader.ListAsync(new AuditQuery { After = after, Limit = AuditQuery.MaxLimit });
            events.AddRange(page.Events);
            after = page.Next;
        }
        while (after is not null);

        return events;
    }

    // Each expected entry must appear after the previous one; other events may come between.
    private static void AssertInOrder(List<(string Actor, string Action, string Outcome)> trail, IReadOnlyList<(string Actor, string Action, string Outcome)> expected)
    {
        var at = 0;
        foreach (var step in expected)
        {
            while (at < trail.Count && trail[at] != step)
            {
                at++;
            }

            Assert.True(at < trail.Count, $"Missing {step} (in order) from the audit trail:\n{string.Join('\n', trail)}");
            at++;
        }
    }

    [GeneratedRegex("kw[a-z]_[0-9A-Za-z]{20,}")]
    private static partial Regex CredentialShaped();
}
