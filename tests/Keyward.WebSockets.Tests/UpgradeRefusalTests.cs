using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Keyward.Core.Audit;
using Keyward.Core.Credentials;
using Keyward.Server.Sessions;
using Keyward.WebSockets.Tests.Infrastructure;

namespace Keyward.WebSockets.Tests;

/// <summary>
/// Every way an upgrade is refused: problem+json with a 4xx status and the code, never a 101, the upstream never
/// contacted, and the refusal audited.
/// </summary>
public sealed class UpgradeRefusalTests(GateFixture fixture) : IClassFixture<GateFixture>
{
    private KeywardServer Server => fixture.Server;

    private KeywardTestClient Api => fixture.Api;

    [Fact]
    public async Task Upgrade_UnknownTicket_Returns401TicketInvalid()
    {
        var unknown = SecretToken.Generate(CredentialKind.WebSocketTicket);
        await AssertRefusedAsync($"/ws/echo/x?ticket={unknown}", 401, "ticket_invalid");
        await AssertRefusedAsync("/ws/echo/x?ticket=kwt_notaticket", 401, "ticket_invalid");

        // A credential of another kind is simply unknown here.
        var session = await Api.LoginAsync();
        await AssertRefusedAsync($"/ws/echo/x?ticket={session.Token}", 401, "ticket_invalid");
    }

    [Fact]
    public async Task Upgrade_ConsumedTicket_Returns401TicketConsumed()
    {
        var session = await Api.LoginAsync();
        var ticket = await Api.TicketAsync(session, TestRoutes.Echo);
        using (var socket = await Api.OpenAsync(TestRoutes.Echo, ticket))
        {
            await socket.AssertEchoAsync("first use");
        }

        await AssertRefusedAsync($"/ws/echo/x?ticket={ticket}", 401, "ticket_consumed");
    }

    [Fact]
    public async Task Upgrade_WrongRouteTicket_Returns403TicketWrongRoute()
    {
        var session = await Api.LoginAsync();
        var ticket = await Api.TicketAsync(session, TestRoutes.Other);
        await AssertRefusedAsync($"/ws/echo/x?ticket={ticket}", 403, "ticket_wrong_route");
    }

    [Fact]
    public async Task Upgrade_WrongOrigin_Returns403OriginMismatch()
    {
        var session = await Api.LoginAsync();

        // Issued to one allowed origin, presented from another allowed origin.
        var ticket = await Api.TicketAsync(session, TestRoutes.Echo, TestRoutes.OtherAllowedOrigin);
        await AssertRefusedAsync($"/ws/echo/x?ticket={ticket}", 403, "origin_mismatch");

        // Presented from a foreign origin, and with no Origin at all.
        ticket = await Api.TicketAsync(session, TestRoutes.Echo);
        await AssertRefusedAsync($"/ws/echo/x?ticket={ticket}", 403, "origin_mismatch", origin: "https://evil.example");
        ticket = await Api.TicketAsync(session, TestRoutes.Echo);
        await AssertRefusedAsync($"/ws/echo/x?ticket={ticket}", 403, "origin_mismatch", origin: null);
    }

    [Theory]
    [InlineData("https://app.example.test", "https://app.example.test")]
    [InlineData("https://app.example.test:443", "https://app.example.test")]
    [InlineData("https://APP.Example.test", "https://app.example.test:443")]
    public async Task Upgrade_OriginsCompareNormalized_ConfiguredAndSentSpellingsOfOneOriginMatch(string ticketOrigin, string upgradeOrigin)
    {
        // The route lists "HTTPS://App.Example.Test:443/"; the ticket request and the upgrade spell the origin otherwise.
        var session = await Api.LoginAsync();
        var ticket = await Api.TicketAsync(session, TestRoutes.Echo, ticketOrigin);
        using var socket = await Api.OpenAsync(TestRoutes.Echo, ticket, upgradeOrigin);
        await socket.AssertEchoAsync("one origin");
        Assert.Contains(fixture.Server.Audit.Where(AuditActions.WebSocketTicketIssued), r => r.Details["origin"] == "https://app.example.test");
    }

    [Theory]
    [InlineData("https://app.example.test:8443")]
    [InlineData("http://app.example.test")]
    [InlineData("https://app.example.test.evil.example")]
    [InlineData("https://app.example.test/path")]
    public async Task Ticket_OriginThatOnlyLooksAllowed_Returns403OriginMismatch(string origin)
    {
        var session = await Api.LoginAsync();
        var refused = await Api.RequestTicketAsync(session, TestRoutes.Echo, origin);
        Assert.Equal((403, "origin_mismatch"), (refused.StatusCode, refused.Code));
    }

    [Fact]
    public async Task Upgrade_ExpiredTicket_Returns401TicketExpired()
    {
        var session = await Api.LoginAsync();
        var ticket = await Api.TicketAsync(session, TestRoutes.Echo);
        Server.Time.Advance(TimeSpan.FromSeconds(31));
        await AssertRefusedAsync($"/ws/echo/x?ticket={ticket}", 401, "ticket_expired");
    }

    [Fact]
    public async Task Upgrade_NoTicket_Returns401TicketRequired()
    {
        // No credential at all: refused, metered, not audited (issue 10, item 7).
        await AssertRefusedAsync("/ws/echo/x", 401, "ticket_required", audited: false);

        // A session token as Bearer is not a way in either: upgrades take tickets.
        var session = await Api.LoginAsync();
        await AssertRefusedAsync("/ws/echo/x", 401, "ticket_required", configure: r => r.Headers.Authorization = new("Bearer", session.Token));
    }

    [Fact]
    public async Task Upgrade_RouteWithoutWebSocket_Returns403WebSocketNotAllowed()
    {
        var session = await Api.LoginAsync();
        await AssertRefusedAsync("/plain/x", 403, "websocket_not_allowed");

        // Not even with a session cookie or a valid ticket for another route: never passed through.
        var ticket = await Api.TicketAsync(session, TestRoutes.Echo);
        await AssertRefusedAsync($"/plain/x?ticket={ticket}", 403, "websocket_not_allowed", configure: r => r.Headers.Add("Cookie", $"{SessionAuthenticationDefaults.CookieName}={session.Token}"));
        var refused = await Api.RequestTicketAsync(session, TestRoutes.Plain);
        Assert.Equal((403, "websocket_not_allowed"), (refused.StatusCode, refused.Code));
    }

    [Fact]
    public async Task Upgrade_ToAnotherProtocol_Returns403UpgradeNotAllowed_NeverTunnelled()
    {
        // YARP would tunnel a SPDY upgrade as an opaque stream; with a valid session it would reach the upstream.
        var session = await Api.LoginAsync();
        var probe = await Api.SendAsync(HttpMethod.Get, "/ws/echo/x", null, session.Token, configure: r =>
        {
            r.Headers.Connection.Add("Upgrade");
            r.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("SPDY", "3.1"));
        });
        Assert.Equal((403, "upgrade_not_allowed"), (probe.StatusCode, probe.Code));
        Assert.Contains(Server.Audit.Denied("upgrade_not_allowed"), r => r.Target == TestRoutes.Echo);
        Assert.DoesNotContain(fixture.Upstream.Handshakes, h => h.Path == "/ws/echo/x" && h.Headers.GetValueOrDefault("Upgrade") == "SPDY/3.1");

        // A plain request on the same route still goes through the proxy.
        var plain = await Api.SendAsync(HttpMethod.Get, "/ws/echo/plain", null, session.Token);
        Assert.Equal((200, "plain http"), (plain.StatusCode, plain.Body));
    }

    [Fact]
    public async Task Upgrade_CookieOnRouteWithoutAllowSessionCookie_Returns403()
    {
        var session = await Api.LoginAsync();
        await AssertRefusedAsync("/ws/echo/x", 403, "cookie_upgrade_not_allowed", configure: r => r.Headers.Add("Cookie", $"{SessionAuthenticationDefaults.CookieName}={session.Token}"));
    }

    [Fact]
    public async Task Upgrade_SessionCookieOnKeywardsOrigin_NeverOpensEvenWhereCookiesAreAllowed()
    {
        var session = await Api.LoginAsync();

        // The cookie route is a browser route: on Keyward's host it is not there at all, and no path route takes the cookie.
        var probe = await Api.ProbeUpgradeAsync("/ws/cookie/x", configure: r => r.Headers.Add("Cookie", $"{SessionAuthenticationDefaults.CookieName}={session.Token}"));
        Assert.Equal(404, probe.StatusCode);
        Assert.Equal(0, fixture.Upstream.Handshakes.Count(h => h.Headers.Values.Any(v => v.Contains(session.Token, StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Upgrade_AppCookieOnAppHost_OpensOnlyFromTheAppsOrigin()
    {
        var session = await Api.LoginAsync();
        var appHost = $"{TestRoutes.CookieHost}:{Server.Port}";
        var appOrigin = $"{new Uri(Server.Origin).Scheme}://{appHost}";
        var app = await AppCookieAsync(session, appHost);
        var cookie = $"__Host-keyward-app={app}";
        void OnAppHost(HttpRequestMessage r, string c)
        {
            r.Headers.Host = appHost;
            r.Headers.Add("Cookie", c);
        }

        await AssertRefusedAsync("/ws/cookie/x", 403, "origin_mismatch", origin: null, configure: r => OnAppHost(r, cookie));
        await AssertRefusedAsync("/ws/cookie/x", 403, "origin_mismatch", configure: r => OnAppHost(r, cookie));
        await AssertRefusedAsync("/ws/cookie/x", 403, "origin_mismatch", origin: TestRoutes.OtherAllowedOrigin, configure: r => OnAppHost(r, cookie));
        await AssertRefusedAsync("/ws/cookie/x", 401, "app_session_invalid", origin: appOrigin, configure: r => OnAppHost(r, "__Host-keyward-app=kwp_forged"));

        // Keyward's session cookie is nothing on an app host.
        await AssertRefusedAsync("/ws/cookie/x", 401, "ticket_required", origin: appOrigin, configure: r => OnAppHost(r, $"{SessionAuthenticationDefaults.CookieName}={session.Token}"));

        // A Bearer session is not an upgrade credential, even beside a cookie (the session handler would have used it).
        await AssertRefusedAsync("/ws/cookie/x", 401, "ticket_required", origin: appOrigin, configure: r =>
        {
            OnAppHost(r, "__Host-keyward-app=kwp_junk");
            r.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", session.Token);
        });

        var (socket, status) = await Api.TryOpenAsync("/ws/cookie/x", origin: appOrigin, configure: o =>
        {
            o.SetRequestHeader("Host", appHost);
            o.SetRequestHeader("Cookie", cookie);
        });
        Assert.Equal(101, status);
        using (socket)
        {
            await socket!.AssertEchoAsync("by cookie");
        }

        // The app cookie never reaches the upstream.
        Assert.DoesNotContain(fixture.Upstream.Handshakes, h => h.Headers.Values.Any(v => v.Contains(app, StringComparison.Ordinal)));
    }

    // The one-time handoff, as a browser on the app host would run it (its Host header set by hand: the test connects by address).
    private async Task<string> AppCookieAsync(TestSession session, string appHost)
    {
        static void Navigation(HttpRequestMessage r) => r.Headers.Add("Accept", "text/html");
        var start = await Api.GetAsync("/ws/cookie/page", configure: r =>
        {
            Navigation(r);
            r.Headers.Host = appHost;
        });
        Assert.Equal(302, start.StatusCode);
        var pre = start.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-keyward-pre=", StringComparison.Ordinal)).Split(';')[0];
        var issued = await Api.GetAsync(start.Headers.Location!.PathAndQuery, configure: r =>
        {
            Navigation(r);
            r.Headers.Add("Cookie", $"{SessionAuthenticationDefaults.CookieName}={session.Token}");
        });
        Assert.Equal(302, issued.StatusCode);
        var redeemed = await Api.GetAsync(issued.Headers.Location!.PathAndQuery, configure: r =>
        {
            Navigation(r);
            r.Headers.Host = appHost;
            r.Headers.Add("Cookie", pre);
        });
        Assert.Equal(302, redeemed.StatusCode);
        var app = redeemed.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-keyward-app=", StringComparison.Ordinal)).Split(';')[0];
        return app["__Host-keyward-app=".Length..];
    }

    [Fact]
    public async Task Upgrade_SessionEndedAfterTicket_Returns401WithSessionCode()
    {
        var session = await Api.LoginAsync();
        var ticket = await Api.TicketAsync(session, TestRoutes.Echo);
        (await Api.LogoutAsync(session.Token)).EnsureSuccess();
        await AssertRefusedAsync($"/ws/echo/x?ticket={ticket}", 401, "session_logged_out");
    }

    [Fact]
    public async Task Ticket_RefusedWithoutSessionOrboundOrigin()
    {
        var session = await Api.LoginAsync();
        var noSession = await Api.SendAsync(HttpMethod.Post, "/api/auth/ws-ticket", new JsonObject { ["route"] = TestRoutes.Echo }, origin: Server.Origin);
        Assert.Equal((401, "session_missing"), (noSession.StatusCode, noSession.Code));
        Assert.Equal((403, "origin_mismatch"), await CodeOf(Api.RequestTicketAsync(session, TestRoutes.Echo, origin: null)));
        Assert.Equal((403, "origin_mismatch"), await CodeOf(Api.RequestTicketAsync(session, TestRoutes.Echo, origin: "https://evil.example")));
        Assert.Equal((404, "route_unknown"), await CodeOf(Api.RequestTicketAsync(session, "nosuchroute")));
        Assert.Contains(Server.Audit.Denied("origin_mismatch"), r => r.Action == AuditActions.WebSocketTicketIssued);
    }

    [Fact]
    public async Task Ticket_IsSingleUseKwtBoundAndStoredOnlyAsHash()
    {
        var session = await Api.LoginAsync();
        var response = await Api.RequestTicketAsync(session, TestRoutes.Echo);
        response.EnsureSuccess();
        var ticket = response.Json.GetProperty("ticket").GetString()!;
        Assert.True(SecretToken.IsWellFormed(CredentialKind.WebSocketTicket, ticket));
        Assert.Equal(Server.Time.GetUtcNow().AddSeconds(30), response.Json.GetProperty("expires_at").GetDateTimeOffset(), TimeSpan.FromSeconds(1));

        var database = Server.Get<Keyward.Core.Storage.KeywardDatabase>();
        await using var db = database.CreateContext();
        var hash = SecretToken.Hash(CredentialKind.WebSocketTicket, ticket);
        var row = Assert.Single(db.WebSocketTickets.Where(t => t.TokenHash == hash));
        Assert.Equal((session.Id, TestRoutes.Echo, Server.Origin, 1), (row.SessionId, row.RouteId, row.Origin, row.UsesLeft));
        Assert.True(File.ReadAllBytes(Path.Combine(Server.DataDirectory, "keyward.db")).AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(ticket)) < 0);
        var issued = Assert.Single(Server.Audit.Where(AuditActions.WebSocketTicketIssued), r => r.Outcome == AuditOutcomes.Success && r.Details["credential"] == SecretToken.Redact(ticket));
        Assert.Equal(TestRoutes.Echo, issued.Target);
    }

    [Fact]
    public async Task AuditUnavailable_RefusesTicketsAndUpgrades()
    {
        var session = await Api.LoginAsync();
        var ticket = await Api.TicketAsync(session, TestRoutes.Echo);
        Server.Audit.Unavailable = true;
        try
        {
            Assert.Equal((503, "audit_unavailable"), await CodeOf(Api.RequestTicketAsync(session, TestRoutes.Echo)));
            var accepted = fixture.Upstream.Accepted;
            var probe = await Api.ProbeUpgradeAsync($"/ws/echo/x?ticket={ticket}");
            Assert.Equal((503, "audit_unavailable"), (probe.StatusCode, probe.Code));
            Assert.Equal(accepted, fixture.Upstream.Accepted);

            // A refusal without a valid credential needs no event of its own (it is counted): still a refusal, never a 101.
            var refused = await Api.ProbeUpgradeAsync("/ws/echo/x?ticket=kwt_unknown");
            Assert.Equal((401, "ticket_invalid"), (refused.StatusCode, refused.Code));
            Assert.Equal(accepted, fixture.Upstream.Accepted);
        }
        finally
        {
            Server.Audit.Unavailable = false;
        }
    }

    [Theory]
    [InlineData("chat, chat")]
    [InlineData("a/b")]
    public async Task Upgrade_InvalidSubProtocols_Returns400WithoutSpendingTheTicket(string protocols)
    {
        var session = await Api.LoginAsync();
        var ticket = await Api.TicketAsync(session, TestRoutes.Echo);
        var accepted = fixture.Upstream.Accepted;

        var probe = await Api.ProbeUpgradeAsync($"/ws/echo/x?ticket={ticket}", configure: r => r.Headers.TryAddWithoutValidation("Sec-WebSocket-Protocol", protocols));

        Assert.Equal((400, "subprotocol_invalid"), (probe.StatusCode, probe.Code));
        Assert.Equal(accepted, fixture.Upstream.Accepted);
        await Server.FlushRefusalsAsync();
        Assert.Contains(Server.Audit.Counted("subprotocol_invalid"), r => r.Details["targets"].Contains($"{AuditActions.WebSocketUpgradeDenied} {TestRoutes.Echo}=", StringComparison.Ordinal));
        using var socket = await Api.OpenAsync(TestRoutes.Echo, ticket);
        await socket.AssertEchoAsync("still good");
    }

    [Fact]
    public async Task Upgrade_ForwardsWithoutTicketAndWithAssertionForRouteAndSession()
    {
        var session = await Api.LoginAsync();
        var ticket = await Api.TicketAsync(session, TestRoutes.Echo);
        using var socket = await Api.OpenAsync(TestRoutes.Echo, ticket, rest: "/room/7", query: "a=1&b=two");
        await socket.AssertEchoAsync("hello");
        await socket.SendAsync(new byte[] { 0, 1, 2, 255 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        var (type, payload) = await socket.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, payload);

        var handshake = fixture.Upstream.Handshakes.Single(h => h.Path == "/ws/echo/room/7");
        Assert.Equal("?a=1&b=two", handshake.Query);
        Assert.DoesNotContain(ticket, string.Join(" ", handshake.Headers.Values), StringComparison.Ordinal);
        Assert.Equal(Server.Origin, handshake.Origin);
        Assert.Equal(TestRoutes.Echo, handshake.Claims.GetProperty("aud").GetString());
        Assert.Equal(session.Id.ToString(), handshake.Claims.GetProperty("sid").GetString());
        var opened = Assert.Single(Server.Audit.Where(AuditActions.WebSocketOpened), r => r.Details.GetValueOrDefault("credential") == SecretToken.Redact(ticket));
        Assert.Equal(("admin", "ticket"), (opened.Actor, opened.Details["via"]));
    }

    private static async Task<(int, string?)> CodeOf(Task<KeywardResponse> response)
    {
        var result = await response;
        return (result.StatusCode, result.Code);
    }

    private async Task AssertRefusedAsync(string pathAndQuery, int status, string code, string? origin = "", Action<HttpRequestMessage>? configure = null, bool audited = true)
    {
        var accepted = fixture.Upstream.Accepted;
        var denied = await Server.RefusedAsync(code);
        var probe = await Api.ProbeUpgradeAsync(pathAndQuery, origin, configure);
        Assert.True(probe.StatusCode == status && probe.Code == code, $"expected {status} {code}, got {probe}");
        Assert.Equal("application/problem+json", probe.MediaType);

        // Also as a real client: no 101.
        Assert.Equal(accepted, fixture.Upstream.Accepted);
        var after = await Server.RefusedAsync(code);
        Assert.True(audited ? after > denied : after == denied, audited ? $"the refusal {code} was not audited" : $"the refusal {code} of a request without any credential was audited");
    }
}
