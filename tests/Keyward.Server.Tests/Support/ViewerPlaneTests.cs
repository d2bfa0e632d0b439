using Keyward.Core.Audit;
using Keyward.Core.Credentials;
using Keyward.Core.Support;
using Keyward.Server.Support;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests.Support;

/// <summary>
/// The viewer plane (issue 11, items 4 and 6): it takes a join token and nothing else. The four live checks of the
/// audit quoted in the issue (a login token → 401; a valid join token of session A on B → 403; a wrong signature → 401;
/// a revoked token → 401), plus the weakness it left open: logging out closes the open viewer and revokes the tokens
/// that sign-in minted. Each test has its own Keyward (Kestrel, TLS, fake clock).
/// </summary>
public sealed class ViewerPlaneTests : IAsyncLifetime
{
    private SupportHost _keyward = null!;

    public async Task InitializeAsync() => _keyward = await SupportHost.StartAsync();

    public async Task DisposeAsync() => await _keyward.DisposeAsync();

    [Fact]
    public async Task LoginToken_OnTheViewerPlane_Is401JoinTokenInvalid_AsBearerQueryOrCookie()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin);

        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(session, _keyward.Admin.Token), 401, "join_token_invalid");
        ProblemAssert.Problem(await _keyward.Client.ProbeUpgradeAsync($"/viewer/v1/sessions/{session}?join={_keyward.Admin.Token}", origin: null), 401, "join_token_invalid");
        ProblemAssert.Problem(await _keyward.Client.ProbeUpgradeAsync($"/viewer/v1/sessions/{session}", origin: null, configure: r => r.Headers.Add("Cookie", $"__Host-keyward-session={_keyward.Admin.Token}")), 401, "join_token_invalid");

        // A real session in the wrong plane (as Bearer or cookie, where Keyward reads sessions) is one event each, naming
        // it; the one in ?join= is only an unknown join token there, and counted.
        var refused = (await _keyward.EventsAsync()).Where(e => e.Action == SupportAuditActions.JoinRefused).ToList();
        Assert.Equal(2, refused.Count);
        Assert.All(refused, e => Assert.Equal(("admin", "join_token_invalid", "session_on_viewer_plane"), (e.Actor, e.Details["code"], e.Details["credential_refused"])));
    }

    [Fact]
    public async Task JoinTokenOfSessionA_OnSessionB_Is403JoinWrongSession_AndIsSpent()
    {
        var a = await _keyward.OpenIdAsync(_keyward.Admin);
        var b = await _keyward.OpenIdAsync(_keyward.Admin);
        var token = await _keyward.JoinTokenAsync(_keyward.Admin, a);

        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(b, token), 403, "join_wrong_session");
        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(a, token), 401, "join_token_consumed");

        var refused = Assert.Single(await _keyward.EventsAsync(), e => e.Action == SupportAuditActions.JoinRefused && e.Details["code"] == "join_wrong_session");
        Assert.Equal((b.ToString(), a.ToString()), (refused.Target, refused.Details["token_support_session_id"]));
    }

    [Fact]
    public async Task SpentJoinToken_PresentedTenTimes_IsOneJoinRefusedEventThenOneCount()
    {
        var a = await _keyward.OpenIdAsync(_keyward.Admin);
        var b = await _keyward.OpenIdAsync(_keyward.Admin);
        var spent = await _keyward.JoinTokenAsync(_keyward.Admin, a);
        var other = await _keyward.JoinTokenAsync(_keyward.Admin, a);
        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(b, spent), 403, "join_wrong_session");
        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(b, other), 403, "join_wrong_session");

        for (var i = 0; i < 10; i++)
        {
            ProblemAssert.Problem(await _keyward.ProbeViewerAsync(a, spent), 401, "join_token_consumed");
        }

        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(a, other), 401, "join_token_consumed");

        // One event per token (two tokens are not merged), the repeats only counted.
        Assert.Equal(2, (await _keyward.EventsAsync()).Count(e => e.Action == SupportAuditActions.JoinRefused && e.Details["code"] == "join_token_consumed"));
        await _keyward.Host.GetRequiredService<Keyward.Server.Audit.RepeatedRefusals>().FlushAsync();
        var consumed = (await _keyward.EventsAsync()).Where(e => e.Action == SupportAuditActions.JoinRefused && e.Details["code"] == "join_token_consumed").ToList();
        Assert.Equal(3, consumed.Count);
        Assert.Equal(("9", a.ToString()), (consumed[2].Details["count"], consumed[2].Target));
    }

    [Fact]
    public async Task WrongChecksumForgedOrGarbage_Is401JoinTokenInvalid_AndCountedNotWritten()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin);
        var token = await _keyward.JoinTokenAsync(_keyward.Admin, session);
        var tampered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');

        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(session, tampered), 401, "join_token_invalid");
        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(session, SecretToken.Generate(CredentialKind.Join)), 401, "join_token_invalid");
        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(session, "kwj_garbage"), 401, "join_token_invalid");
        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(session, SecretToken.Generate(CredentialKind.Agent)), 401, "join_token_invalid");

        // The real token was not touched by any of them.
        var viewer = await _keyward.OpenViewerAsync(session, token);
        viewer.Abort();
        var counted = Assert.Single(await _keyward.EventsAsync(), e => e.Action == AuditActions.UnauthenticatedRefusals);
        Assert.Contains("join_token_invalid=4", counted.Details["codes"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task JoinTokenInAuthorization_WithoutTheBearerScheme_Is401JoinTokenInvalid_AndNotSpent()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin);
        var token = await _keyward.JoinTokenAsync(_keyward.Admin, session);

        ProblemAssert.Problem(
            await _keyward.Client.ProbeUpgradeAsync($"/viewer/v1/sessions/{session}", origin: null, configure: r => r.Headers.TryAddWithoutValidation("Authorization", token)),
            401, "join_token_invalid");
        ProblemAssert.Problem(
            await _keyward.Client.ProbeUpgradeAsync($"/viewer/v1/sessions/{session}", origin: null, configure: r => r.Headers.TryAddWithoutValidation("Authorization", "Basic " + token)),
            401, "join_token_invalid");

        // The scheme is case-insensitive (RFC 9110 §11.1), and the refused attempts did not spend the token.
        var (socket, status) = await _keyward.Client.TryOpenAsync($"/viewer/v1/sessions/{session}?kind=tcp&port=22", origin: null, configure: o => o.SetRequestHeader("Authorization", "bEaReR " + token));
        Assert.Equal(101, status);
        socket!.Abort();
    }

    [Fact]
    public async Task ExpiredConsumedAndRevokedTokens_AreDistinct401s()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin);
        var expired = await _keyward.JoinTokenAsync(_keyward.Admin, session);
        _keyward.Time.Advance(TimeSpan.FromMinutes(5));
        var consumed = await _keyward.JoinTokenAsync(_keyward.Admin, session);
        (await _keyward.OpenViewerAsync(session, consumed)).Abort();
        var other = await _keyward.Client.LoginAsync("admin");
        var revoked = await _keyward.JoinTokenAsync(other, session);
        ProblemAssert.Ok(await _keyward.Client.LogoutAsync(other.Token));

        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(session, expired), 401, "join_token_expired");
        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(session, consumed), 401, "join_token_consumed");
        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(session, revoked), 401, "join_token_revoked");
    }

    [Fact]
    public async Task Logout_ClosesTheOpenViewerWith4401_AndRevokesTheTokensThatSignInMinted()
    {
        var technician = await _keyward.Client.LoginAsync("admin");
        var session = await _keyward.OpenIdAsync(technician);
        var viewer = await _keyward.OpenViewerAsync(session, await _keyward.JoinTokenAsync(technician, session));
        var unused = await _keyward.JoinTokenAsync(technician, session);
        var bystander = await _keyward.OpenViewerAsync(session, await _keyward.JoinTokenAsync(_keyward.Admin, session));

        ProblemAssert.Ok(await _keyward.Client.LogoutAsync(technician.Token));

        var (status, reason) = await SupportHost.ExpectCloseAsync(viewer);
        Assert.Equal((4401, "login session ended"), ((int?)status, reason));
        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(session, unused), 401, "join_token_revoked");
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, bystander.State);
        bystander.Abort();
    }

    [Fact]
    public async Task EndingTheSupportSession_ClosesItsViewersWith4410_AndRevokesItsTokens()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin);
        var viewer = await _keyward.OpenViewerAsync(session, await _keyward.JoinTokenAsync(_keyward.Admin, session));
        var unused = await _keyward.JoinTokenAsync(_keyward.Admin, session);

        ProblemAssert.Ok(await _keyward.Client.SendAsync(HttpMethod.Post, $"/api/support/sessions/{session}/end", new System.Text.Json.Nodes.JsonObject(), _keyward.Admin.Token));

        Assert.Equal(4410, (int?)(await SupportHost.ExpectCloseAsync(viewer)).Status);
        var refused = await _keyward.ProbeViewerAsync(session, unused);
        Assert.True(refused.Code is "join_token_revoked" or "support_session_ended", refused.Code);
        ProblemAssert.Problem(await _keyward.JoinAsync(_keyward.Admin, session), 409, "support_session_ended");
    }

    [Fact]
    public async Task StaleSession_IsReaped_ClosingItsViewer()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin);
        var viewer = await _keyward.OpenViewerAsync(session, await _keyward.JoinTokenAsync(_keyward.Admin, session));

        _keyward.Time.Advance(TimeSpan.FromMinutes(15));
        await _keyward.Host.GetRequiredService<SupportSweeper>().SweepAsync(CancellationToken.None);

        Assert.Equal(4410, (int?)(await SupportHost.ExpectCloseAsync(viewer)).Status);

        // The background sweep may have reaped it first (the clock moved past its interval too); either records it once.
        await WaitForAsync(async () => (await _keyward.EventsAsync()).FirstOrDefault(e => e.Action == SupportAuditActions.SessionEnded));
        var ended = Assert.Single(await _keyward.EventsAsync(), e => e.Action == SupportAuditActions.SessionEnded);
        Assert.Equal((session.ToString(), "expired", "keyward"), (ended.Target, ended.Details["reason"], ended.Actor));
    }

    [Fact]
    public async Task ViewerMessageOverTheBound_ClosesWith1009()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin);
        var viewer = await _keyward.OpenViewerAsync(session, await _keyward.JoinTokenAsync(_keyward.Admin, session));

        await viewer.SendAsync(new byte[(64 * 1024) + 1], System.Net.WebSockets.WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.MessageTooBig, (await SupportHost.ExpectCloseAsync(viewer)).Status);
    }

    [Fact]
    public async Task Audit_RecordsMintedAndUsed_NeverTheToken()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin);
        var token = await _keyward.JoinTokenAsync(_keyward.Admin, session);
        (await _keyward.OpenViewerAsync(session, token)).Abort();

        var events = await _keyward.EventsAsync();
        var minted = Assert.Single(events, e => e.Action == SupportAuditActions.JoinMinted);
        var used = Assert.Single(events, e => e.Action == SupportAuditActions.JoinUsed);
        Assert.Equal(minted.Details["join_token_id"], used.Details["join_token_id"]);
        Assert.All(events, e => Assert.DoesNotContain(token[..12], string.Join(" ", e.Details.Values.Append(e.Target ?? string.Empty)), StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoginSessionEndedElsewhere_TokenIsRefusedRevoked_EvenBeforeItsRowIsRevoked()
    {
        // Another node revoked the sign-in: this node heard no Ended event, so only the check at the upgrade can refuse.
        var technician = await _keyward.Client.LoginAsync("admin");
        var session = await _keyward.OpenIdAsync(technician);
        var token = await _keyward.JoinTokenAsync(technician, session);
        await using (var db = _keyward.Host.GetRequiredService<Keyward.Core.Storage.KeywardDatabase>().CreateContext())
        {
            await db.Sessions.Where(s => s.Id == technician.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, 1).SetProperty(s => s.RevokedReason, "revoked"));
        }

        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(session, token), 401, "join_token_revoked");
    }

    [Fact]
    public async Task Logout_RevokesTheJoinTokenRows_AndRecordsJoinRevoked()
    {
        var technician = await _keyward.Client.LoginAsync("admin");
        var session = await _keyward.OpenIdAsync(technician);
        await _keyward.JoinTokenAsync(technician, session);
        await _keyward.JoinTokenAsync(technician, session);

        ProblemAssert.Ok(await _keyward.Client.LogoutAsync(technician.Token));

        // The revocation runs after the logout answers; a generous bound, not a latency assertion.
        var revoked = await WaitForAsync(async () => (await _keyward.EventsAsync()).SingleOrDefault(e => e.Action == SupportAuditActions.JoinRevoked));
        Assert.Equal((technician.Id.ToString(), "2", "login_session_ended"), (revoked.Target, revoked.Details["count"], revoked.Details["reason"]));
        await using var db = _keyward.Host.GetRequiredService<Keyward.Core.Storage.KeywardDatabase>().CreateContext();
        Assert.All(db.JoinTokens.Where(j => j.LoginSessionId == technician.Id).ToList(), j => Assert.NotNull(j.RevokedAt));
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        for (var i = 0; i < 300; i++)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("not within 30 s");
    }
}
