using System.Text.Json.Nodes;
using Keyward.Core.Support;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests.Support;

/// <summary>
/// The technician's API (issue 11, items 3 and 4): opening support sessions for a machine (per its policy) or ad hoc
/// (with a support code shown once), listing, and joining: only accounts the machine allows, and an unattended machine
/// only after a <c>support.join</c> step-up, which the join spends.
/// </summary>
public sealed class SupportSessionApiTests : IAsyncLifetime
{
    private SupportHost _keyward = null!;

    public async Task InitializeAsync() => _keyward = await SupportHost.StartAsync();

    public async Task DisposeAsync() => await _keyward.DisposeAsync();

    [Fact]
    public async Task OpenAdHoc_AnswersTheSupportCodeOnce_NoStore_AndTheListNeverShowsIt()
    {
        var opened = await _keyward.OpenAsync(_keyward.Admin);

        Assert.Equal(200, opened.StatusCode);
        Assert.Equal("no-store", opened.Headers.CacheControl?.ToString());
        var code = opened.Json.GetProperty("support_code").GetString()!;
        Assert.Matches("^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", code);
        Assert.True(opened.Json.GetProperty("attended").GetBoolean());
        var list = await _keyward.Client.GetAsync("/api/support/sessions", _keyward.Admin.Token);
        Assert.DoesNotContain(code, list.Body, StringComparison.Ordinal);
        Assert.Equal(opened.Json.GetProperty("id").GetGuid(), list.Json.GetProperty("sessions")[0].GetProperty("id").GetGuid());
        var events = await _keyward.EventsAsync();
        Assert.Single(events, e => e.Action == SupportAuditActions.SessionOpened);
        Assert.Single(events, e => e.Action == SupportAuditActions.CodeIssued);
        Assert.All(events, e => Assert.DoesNotContain(code, string.Join(" ", e.Details.Values.Append(e.Target ?? string.Empty)), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_UnknownMachine_Is404_UnattendedAdHocOrAgainstPolicy_Is403_NoReason_Is400()
    {
        var attendedOnly = _keyward.Machines.Add(unattendedAllowed: false);

        ProblemAssert.Problem(await _keyward.OpenAsync(_keyward.Admin, Guid.NewGuid()), 404, "machine_not_found");
        ProblemAssert.Problem(await _keyward.OpenAsync(_keyward.Admin, attended: false), 403, "unattended_not_allowed");
        ProblemAssert.Problem(await _keyward.OpenAsync(_keyward.Admin, attendedOnly, attended: false), 403, "unattended_not_allowed");
        ProblemAssert.Problem(await _keyward.OpenAsync(_keyward.Admin, reason: " "), 400, "support_reason_invalid");
        ProblemAssert.Problem(await _keyward.OpenAsync(_keyward.Admin, reason: "printer\u001b[2J\u001b[Hall fine"), 400, "support_reason_invalid");
        ProblemAssert.Problem(await _keyward.OpenAsync(_keyward.Admin, reason: "printer \u202Ejam"), 400, "support_reason_invalid");
        ProblemAssert.Problem(await _keyward.OpenAsync(_keyward.Admin, reason: "printer\njam"), 400, "support_reason_invalid");
        Assert.Equal(200, (await _keyward.OpenAsync(_keyward.Admin, attendedOnly)).StatusCode);
    }

    [Fact]
    public async Task List_UserSeesOwn_AdminSeesAll()
    {
        var (bob, _) = await _keyward.AddUserAsync("bob");
        var mine = await _keyward.OpenIdAsync(bob);
        var admins = await _keyward.OpenIdAsync(_keyward.Admin);

        var bobs = await _keyward.Client.GetAsync("/api/support/sessions", bob.Token);
        var all = await _keyward.Client.GetAsync("/api/support/sessions", _keyward.Admin.Token);

        Assert.Equal([mine], bobs.Json.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));
        Assert.Equal(new[] { admins, mine }.Order(), all.Json.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).Order());
        ProblemAssert.Problem(await _keyward.Client.SendAsync(HttpMethod.Post, $"/api/support/sessions/{admins}/end", new JsonObject(), bob.Token), 404, "support_session_not_found");
    }

    [Fact]
    public async Task Join_ByAnAccountTheMachineDoesNotAllow_Is403JoinNotAllowed_AndMintsNothing()
    {
        var (bob, _) = await _keyward.AddUserAsync("bob");
        var (carol, _) = await _keyward.AddUserAsync("carol");
        var adminsOnly = _keyward.Machines.Add();
        var carolsToo = _keyward.Machines.Add(accounts: [await AccountIdAsync("carol")]);
        var forAdmins = await _keyward.OpenIdAsync(_keyward.Admin, adminsOnly);
        var forCarol = await _keyward.OpenIdAsync(carol, carolsToo);
        var adHoc = await _keyward.OpenIdAsync(_keyward.Admin);

        ProblemAssert.Problem(await _keyward.JoinAsync(bob, forAdmins), 403, "join_not_allowed");
        ProblemAssert.Problem(await _keyward.JoinAsync(bob, forCarol), 403, "join_not_allowed");
        ProblemAssert.Problem(await _keyward.JoinAsync(bob, adHoc), 403, "join_not_allowed");
        ProblemAssert.Problem(await _keyward.OpenAsync(bob, adminsOnly), 403, "join_not_allowed");

        Assert.Equal(200, (await _keyward.JoinAsync(carol, forCarol)).StatusCode);
        Assert.Equal(200, (await _keyward.JoinAsync(_keyward.Admin, forAdmins)).StatusCode);
        var events = await _keyward.EventsAsync();
        Assert.Equal(3, events.Count(e => e.Action == SupportAuditActions.JoinRefused && e.Actor == "bob" && e.Details["code"] == "join_not_allowed"));
        Assert.Equal(2, events.Count(e => e.Action == SupportAuditActions.JoinMinted));
    }

    [Fact]
    public async Task Join_UnattendedMachine_NeedsASupportJoinStepUpForThatSession_WhichTheJoinSpends()
    {
        var unattended = _keyward.Machines.Add(unattendedAllowed: true);
        var session = await _keyward.OpenIdAsync(_keyward.Admin, unattended, attended: false);
        var other = await _keyward.OpenIdAsync(_keyward.Admin, unattended, attended: false);

        var refused = await _keyward.JoinAsync(_keyward.Admin, session);
        ProblemAssert.Problem(refused, 401, "step_up_required");
        Assert.Equal(("support.join", session.ToString()), (refused.Json.GetProperty("step_up").GetProperty("purpose").GetString(), refused.Json.GetProperty("step_up").GetProperty("target").GetString()));

        // A step-up for another session does not count; one for this session allows one join.
        await _keyward.Client.StepUpAsync(_keyward.Admin.Token, "support.join", other.ToString());
        ProblemAssert.Problem(await _keyward.JoinAsync(_keyward.Admin, session), 401, "step_up_required");
        await _keyward.Client.StepUpAsync(_keyward.Admin.Token, "support.join", session.ToString());
        Assert.Equal(200, (await _keyward.JoinAsync(_keyward.Admin, session)).StatusCode);
        ProblemAssert.Problem(await _keyward.JoinAsync(_keyward.Admin, session), 401, "step_up_required");
    }

    [Fact]
    public async Task Join_AttendedSession_NeedsNoStepUp_AndAnswersNoStore()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin, _keyward.Machines.Add());

        var joined = await _keyward.JoinAsync(_keyward.Admin, session);

        Assert.Equal(200, joined.StatusCode);
        Assert.Equal("no-store", joined.Headers.CacheControl?.ToString());
        Assert.StartsWith("kwj_", joined.Json.GetProperty("join_token").GetString(), StringComparison.Ordinal);
        Assert.Equal($"/viewer/v1/sessions/{session}", joined.Json.GetProperty("viewer_path").GetString());
    }

    [Fact]
    public async Task Open_PastTheMachineCap_Is429SupportSessionLimit()
    {
        var machine = _keyward.Machines.Add();
        for (var i = 0; i < 4; i++)
        {
            await _keyward.OpenIdAsync(_keyward.Admin, machine);
        }

        ProblemAssert.Problem(await _keyward.OpenAsync(_keyward.Admin, machine), 429, "support_session_limit");
    }

    [Fact]
    public async Task Join_PastTenUnusedTokens_Is429JoinTokenLimit_UntilOneIsUsedOrExpires()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin);
        var tokens = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            tokens.Add(await _keyward.JoinTokenAsync(_keyward.Admin, session));
        }

        ProblemAssert.Problem(await _keyward.JoinAsync(_keyward.Admin, session), 429, "join_token_limit");
        Assert.Contains(await _keyward.EventsAsync(), e => e.Action == SupportAuditActions.JoinRefused && e.Details["code"] == "join_token_limit");
        await using (var db = _keyward.Host.GetRequiredService<Keyward.Core.Storage.KeywardDatabase>().CreateContext())
        {
            Assert.Equal(10, await db.JoinTokens.CountAsync(j => j.SupportSessionId == session));
        }

        // The cap is per login session and support session: another sign-in, or another session, is not held back.
        Assert.Equal(200, (await _keyward.JoinAsync(await _keyward.Client.LoginAsync("admin"), session)).StatusCode);
        Assert.Equal(200, (await _keyward.JoinAsync(_keyward.Admin, await _keyward.OpenIdAsync(_keyward.Admin))).StatusCode);

        // A used token frees a place; so do expired ones.
        (await _keyward.OpenViewerAsync(session, tokens[0])).Abort();
        await _keyward.JoinTokenAsync(_keyward.Admin, session);
        ProblemAssert.Problem(await _keyward.JoinAsync(_keyward.Admin, session), 429, "join_token_limit");
        _keyward.Time.Advance(TimeSpan.FromMinutes(6));
        await _keyward.JoinTokenAsync(_keyward.Admin, session);
    }

    private async Task<Guid> AccountIdAsync(string name) =>
        (await _keyward.Host.GetRequiredService<Keyward.Core.Accounts.AccountService>().FindAccountAsync(name))!.Id;
}
