using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Keyward.Client;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.WebSockets.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Keyward.WebSockets.Tests;

/// <summary>
/// Live revocation: every proxied socket remembers its session; logout, revocation and idle expiry close it within
/// one second with 4401 and a reason, and MaxLifetime forces re-authorization. The sweep also holds a live session to
/// its socket's route again: a role removed closes the route's sockets with 4403, a renamed account with 4401. Each
/// test has its own Keyward, because some move its clock or change its account.
/// </summary>
public sealed class RevocationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Sockets = 10;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    private EchoUpstream _upstream = null!;
    private KeywardServer _server = null!;

    private KeywardTestClient Api => _server.Admin!;

    public async Task InitializeAsync()
    {
        _upstream = await EchoUpstream.StartAsync();
        _server = await KeywardServer.StartAsync(_upstream);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Logout_WithTenSocketsOpen_ClosesAllWithin1sWith4401()
    {
        var session = await Api.LoginAsync();
        var sockets = await OpenManyAsync(session);
        var closes = sockets.Select(s => s.ExpectCloseAsync()).ToList();

        var started = Stopwatch.GetTimestamp();
        (await Api.LogoutAsync(session.Token)).EnsureSuccess();
        var worst = await AssertAllClosedAsync(closes, started, "session ended: logged_out");
        output.WriteLine($"logout → all {Sockets} sockets closed: worst {worst.TotalMilliseconds:0.0} ms");

        // The upstream legs were closed too, and each socket's close is audited.
        await WaitUntilAsync(() => _upstream.Closes.Count(c => c.Code == 4401) >= Sockets);
        await WaitUntilAsync(() => _server.Audit.Where(AuditActions.WebSocketClosed).Count(r => r.Details["cause"] == "session_ended") >= Sockets);
        Dispose(sockets);
    }

    [Fact]
    public async Task LogoutWhileTheUpgradeIsInFlight_GetsNoSocket()
    {
        var session = await Api.LoginAsync();
        var ticket = await Api.TicketAsync(session, TestRoutes.Echo);

        // The sign-out lands after the ticket was accepted and the socket recorded, before the upstream leg and the 101.
        _server.Audit.BeforeRecord = record =>
        {
            Assert.Equal(AuditActions.WebSocketOpened, record.Action);
            Api.LogoutAsync(session.Token).GetAwaiter().GetResult().EnsureSuccess();
        };
        var (socket, status) = await Api.TryOpenAsync($"/ws/echo/x?ticket={ticket}");

        socket?.Dispose();
        Assert.Null(_server.Audit.BeforeRecord);
        Assert.Equal(401, status);
        Assert.Contains(_server.Audit.Denied("session_logged_out"), r => r.Action == AuditActions.WebSocketUpgradeDenied);
    }

    [Fact]
    public async Task RevokeFromAnotherSession_ClosesOnlyThatSessionsSocketsWithin1s()
    {
        var victim = await Api.LoginAsync();
        var other = await Api.LoginAsync();
        var sockets = await OpenManyAsync(victim);
        using var bystander = await Api.OpenAsync(other);
        var closes = sockets.Select(s => s.ExpectCloseAsync()).ToList();

        var started = Stopwatch.GetTimestamp();
        var revoked = await Api.RevokeAsync(other, victim.Id);
        Assert.Equal(204, revoked.StatusCode);
        var worst = await AssertAllClosedAsync(closes, started, "session ended: revoked");
        output.WriteLine($"revocation from another session → all {Sockets} sockets closed: worst {worst.TotalMilliseconds:0.0} ms");

        // The revoking session's own socket is untouched.
        await bystander.AssertEchoAsync("still here");
        Dispose(sockets);
    }

    [Fact]
    public async Task IdleExpiry_FakeClock_ClosesAllWithin1sWith4401()
    {
        var session = await Api.LoginAsync();
        var sockets = await OpenManyAsync(session);

        // Socket traffic is not session use: a busy socket does not keep an idle session alive.
        _server.Time.Advance(TimeSpan.FromMinutes(29));
        await sockets[0].AssertEchoAsync("traffic");
        var closes = sockets.Select(s => s.ExpectCloseAsync()).ToList();
        var started = Stopwatch.GetTimestamp();
        _server.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var worst = await AssertAllClosedAsync(closes, started, "session ended: idle_expired");
        output.WriteLine($"idle expiry (fake clock) → all {Sockets} sockets closed: worst {worst.TotalMilliseconds:0.0} ms");
        Dispose(sockets);
    }

    [Fact]
    public async Task MaxLifetime_ClosesLiveSessionsSocketWith4401ReauthorizationRequired()
    {
        var session = await Api.LoginAsync();
        using var socket = await Api.OpenAsync(session, TestRoutes.Limited);

        // The session stays alive (used every 5 minutes); only the route's 10-minute socket lifetime runs out.
        _server.Time.Advance(TimeSpan.FromMinutes(5));
        (await Api.SendAsync(HttpMethod.Post, "/session/status", new JsonObject(), session.Token)).EnsureSuccess();
        await socket.AssertEchoAsync("at 5 minutes");
        var close = socket.ExpectCloseAsync();
        _server.Time.Advance(TimeSpan.FromMinutes(5));
        var (code, reason, _) = await close;
        Assert.Equal((4401, "reauthorization required"), (code, reason));
        (await Api.SendAsync(HttpMethod.Post, "/session/status", new JsonObject(), session.Token)).EnsureSuccess();
    }

    [Fact]
    public async Task RoleRemoved_SweepClosesTheAdminRoutesSocketWith4403_OtherRoutesKeepWorking()
    {
        var session = await Api.LoginAsync();
        using var admin = await Api.OpenAsync(session, TestRoutes.AdminOnly);
        using var any = await Api.OpenAsync(session, TestRoutes.Echo);
        await admin.AssertEchoAsync("as admin");

        // The session stays valid (no revocation, no expiry on the fake clock): only the account's role changes.
        var close = admin.ExpectCloseAsync();
        await SetAccountAsync(a => a.Role = Roles.User);
        var (code, reason, _) = await close;

        Assert.Equal((4403, "route requirements not met: role_required"), (code, reason));
        await any.AssertEchoAsync("the echo route has no role requirement");
        await WaitUntilAsync(() => _server.Audit.Where(AuditActions.WebSocketClosed).Any(r => r.Details["cause"] == "route_requirements" && r.Details["close_code"] == "4403"));
        await WaitUntilAsync(() => _upstream.Closes.Any(c => c.Code == 4403));
        (await Api.SendAsync(HttpMethod.Post, "/session/status", new JsonObject(), session.Token)).EnsureSuccess();
    }

    // The route's policy at the mint (issue 15 moved it from IAuthorizationService to the policy evaluator): a session
    // of an account without the route's role gets no ticket for it, and the route is not in its ws-routes list.
    [Fact]
    public async Task WithoutTheRole_TicketIsRefused403RoleRequired_AndWsRoutesLeavesTheRouteOut()
    {
        var admin = await Api.LoginAsync();
        await Api.TicketAsync(admin, TestRoutes.AdminOnly);
        Assert.Contains(TestRoutes.AdminOnly, Routes(await Api.GetAsync("/api/auth/ws-routes", admin.Token)));

        await SetAccountAsync(a => a.Role = Roles.User);
        var user = await Api.LoginAsync();

        var refused = await Api.RequestTicketAsync(user, TestRoutes.AdminOnly);
        Assert.Equal((403, "role_required"), (refused.StatusCode, refused.Code));
        Assert.Contains(_server.Audit.Denied("role_required"), r => r.Action == AuditActions.WebSocketTicketIssued && r.Target == TestRoutes.AdminOnly);
        var routes = Routes(await Api.GetAsync("/api/auth/ws-routes", user.Token));
        Assert.DoesNotContain(TestRoutes.AdminOnly, routes);
        Assert.Contains(TestRoutes.Echo, routes);
        (await Api.RequestTicketAsync(user, TestRoutes.Echo)).EnsureSuccess();

        static List<string?> Routes(KeywardResponse response) => [.. response.EnsureSuccess().Json.GetProperty("routes").EnumerateArray().Select(r => r.GetString())];
    }

    [Fact]
    public async Task RoleRemovedAfterTheTicket_UpgradeIsRefused403RoleRequired()
    {
        var session = await Api.LoginAsync();
        var ticket = await Api.TicketAsync(session, TestRoutes.AdminOnly);
        await SetAccountAsync(a => a.Role = Roles.User);

        var probe = await Api.ProbeUpgradeAsync($"{TestRoutes.PathOf(TestRoutes.AdminOnly)}/x?ticket={ticket}");
        Assert.Equal((403, "role_required"), (probe.StatusCode, probe.Code));
        Assert.Contains(_server.Audit.Denied("role_required"), r => r.Action == AuditActions.WebSocketUpgradeDenied);
    }

    [Fact]
    public async Task AccountRenamed_SweepClosesItsSocketsWith4401AccountChanged()
    {
        var session = await Api.LoginAsync();
        using var socket = await Api.OpenAsync(session, TestRoutes.Echo);
        await socket.AssertEchoAsync("as admin");
        var close = socket.ExpectCloseAsync();
        await SetAccountAsync(a => a.Name = "renamed");

        var (code, reason, _) = await close;
        Assert.Equal((4401, "session ended: account_changed"), (code, reason));
    }

    /// <summary>Changes the signed-in account in the database, as an admin tool or another node would.</summary>
    private async Task SetAccountAsync(Action<AccountEntity> change)
    {
        await using var db = _server.Get<KeywardDatabase>().CreateContext();
        change(await db.Accounts.SingleAsync(a => a.Name == Api.AccountName));
        Assert.Equal(1, await db.SaveChangesAsync());
    }

    private async Task<List<ClientWebSocket>> OpenManyAsync(TestSession session)
    {
        var sockets = new List<ClientWebSocket>();
        for (var i = 0; i < Sockets; i++)
        {
            var socket = await Api.OpenAsync(session);
            await socket.AssertEchoAsync($"socket {i}");
            sockets.Add(socket);
        }

        return sockets;
    }

    private static async Task<TimeSpan> AssertAllClosedAsync(List<Task<(int? Code, string? Reason, long ArrivedAt)>> closes, long started, string reason)
    {
        var results = await Task.WhenAll(closes);
        Assert.All(results, r => Assert.Equal((4401, reason), (r.Code, r.Reason)));
        var worst = results.Max(r => Stopwatch.GetElapsedTime(started, r.ArrivedAt));
        Assert.True(worst < Bound, $"the last socket closed {worst.TotalMilliseconds:0} ms after the session ended");
        return worst;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 10);
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, "timed out waiting");
            await Task.Delay(20);
        }
    }

    private static void Dispose(List<ClientWebSocket> sockets)
    {
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }
}
