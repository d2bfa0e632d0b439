using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using Keyward.Client;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>
/// Headers on every answer (docs/security.md): <c>Cache-Control: no-store</c> on each response that carries a
/// credential, and <c>Strict-Transport-Security</c> on every https response, Keyward's own and proxied.
/// </summary>
public abstract partial class BrokerTests
{
    private const string DefaultHsts = "max-age=31536000";

    // Every endpoint that answers with a credential (a session, token, code, invite, ticket or ceremony), one row each.
    // The broker was started with its first admin (setup code) and "admin" signed in; a new endpoint adds one line.
    private static readonly (string Name, int Status, Func<Broker, Task<KeywardResponse>> Call)[] CredentialResponses =
    [
        ("register finish with the setup code (the first admin)", 200, b => Task.FromResult(b.Client.Seen.First(r => r.Path == KeywardPaths.RegisterFinish))),
        ("login finish (session_token)", 200, b => Task.FromResult(b.Client.Seen.Last(r => r.Path == KeywardPaths.LoginFinish))),
        ("login begin (challenge)", 200, b => b.Client.LoginBeginAsync("admin")),
        ("invite (kwi_)", 200, async b => { await b.Client.StepUpAsync(b.Admin.Token, "admin"); return await b.Client.PostAsync(KeywardPaths.Invites, new JsonObject { ["account_name"] = "carol", ["role"] = "user" }, b.Admin.Token); }),
        ("register begin with an invite (challenge)", 200, async b => await b.Client.RegisterBeginAsync(new JsonObject { ["invite"] = await b.Client.CreateInviteAsync(b.Admin.Token, "dave", "user") })),
        ("register finish with an invite (key)", 200, async b => { var invite = await b.Client.CreateInviteAsync(b.Admin.Token, "erin", "user"); var (id, credential) = await b.Client.BeginAndMakeCredentialAsync(new JsonObject { ["invite"] = invite }, KeywardTestClient.NewKey()); return await b.Client.RegisterFinishAsync(id, credential, invite: invite); }),
        ("register begin with a session (another key)", 200, async b => { await b.Client.StepUpAsync(b.Admin.Token, "key.add"); return await b.Client.RegisterBeginAsync(new JsonObject(), b.Admin.Token); }),
        ("step-up begin (challenge)", 200, b => b.Client.PostAsync("/session/step-up/begin", new JsonObject { ["purpose"] = "admin" }, b.Admin.Token)),
        ("recovery codes, regenerated", 200, async b => { await b.Client.StepUpAsync(b.Admin.Token, "recovery.regenerate"); return await b.Client.PostAsync("/api/account/recovery-codes", null, b.Admin.Token); }),
        ("WebSocket ticket (kwt_)", 200, b => b.Client.RequestTicketAsync(b.Admin, "sockets")),
        ("session status", 200, b => b.Client.StatusAsync(b.Admin.Token)),
        ("session list", 200, b => b.Client.GetAsync("/session/list", b.Admin.Token)),
        ("key list", 200, b => b.Client.GetAsync("/api/keys", b.Admin.Token)),
        ("a problem", 401, b => b.Client.StatusAsync(null)),
    ];

    [Fact]
    public async Task CredentialResponses_AreNeverStored()
    {
        var broker = await StartWithAdminAsync(settings =>
        {
            settings["Keyward:Routes:sockets:Path"] = "/sockets/{**rest}";
            settings["Keyward:Routes:sockets:Upstream"] = Echo.Address.ToString();
            settings["Keyward:Routes:sockets:WebSocket:Enabled"] = "true";
        });

        foreach (var (name, status, call) in CredentialResponses)
        {
            var response = await call(broker);
            Assert.True(response.StatusCode == status, $"{name}: {response}");
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{name}: Cache-Control is \"{response.Headers.CacheControl}\"");
        }
    }

    [Fact]
    public async Task JsonAnswers_WritePlusUnescaped_IncludingTheAssertionsJoseHeader_AndAreNeverSniffed()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        // Timestamps keep their offset's '+' (2026-…+00:00), not \u002B.
        var status = await client.StatusAsync(admin.Token);
        Assert.Equal(200, status.StatusCode);
        Assert.Contains("+00:00\"", status.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", status.Body, StringComparison.OrdinalIgnoreCase);

        // The assertion's header, as the upstream receives it: "typ":"kw-id+jwt" written as it is.
        var proxied = UpstreamView.Parse(await client.ProxyAsync("/echo/x", admin.Token));
        var header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(proxied.Header("Keyward-Assertion")!.Split('.')[0]));
        Assert.Contains("\"typ\":\"kw-id+jwt\"", header, StringComparison.Ordinal);

        // Written without HTML escaping, so no answer of Keyward's may be sniffed as HTML: a value, a problem, a 404.
        // Also the answers written before the security-header middleware runs or that it leaves to the proxy: a path
        // route's refusal and an unknown host's 421 (found by review).
        var unknownHost = await client.GetAsync("/", configure: r => r.Headers.Host = "unknown.example");
        Assert.Equal(421, unknownHost.StatusCode);
        foreach (var answer in new[] { status, await client.StatusAsync(null), await client.GetAsync("/api/no-such-endpoint"), await client.ProxyAsync("/echo/x", null), unknownHost })
        {
            Assert.True(answer.Headers.TryGetValues("X-Content-Type-Options", out var values) && values.Single() == "nosniff", $"{answer}: no nosniff");
        }
    }

    [Fact]
    public async Task Hsts_OnEveryHttpsResponse_KeywardsAndProxied()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        KeywardResponse[] answers =
        [
            await client.GetAsync("/"),
            await client.GetAsync("/app.js"),
            await client.GetAsync("/healthz"),
            await client.GetAsync("/.well-known/keyward/jwks.json"),
            await client.GetAsync("/no/such/path"),
            await client.StatusAsync(null),
            await client.StatusAsync(admin.Token),
            await client.ProxyAsync("/echo/x", admin.Token),
            await client.ProxyAsync("/echo/x", null),
        ];

        Assert.All(answers, a => Assert.True(a.Headers.TryGetValues("Strict-Transport-Security", out var v) && v.Single() == DefaultHsts, $"{a.Method} {a.Path}: {a.StatusCode}"));

        // The JWKS chooses its own caching; the sign-in page is no credential; proxied answers keep the upstream's caching.
        Assert.Equal("public, max-age=300", answers[3].Headers.CacheControl?.ToString());
        Assert.False(answers[7].Headers.CacheControl?.NoStore == true);

        // On Keyward's own host an upstream's own HSTS header gives way to Keyward's, once (on a host of its own it is kept:
        // Hsts_OnProxiedAnswersKeywardDidNotWrite_ExactlyOnce_AndAnUpstreamsOwnWinsOnlyOnItsOwnHost).
        var own = await client.ProxyAsync("/echo/x?hsts=" + Uri.EscapeDataString("max-age=60; includeSubDomains"), admin.Token);
        Assert.Equal([DefaultHsts], own.Headers.GetValues("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Hsts_OnProxiedAnswersKeywardDidNotWrite_ExactlyOnce_AndAnUpstreamsOwnWinsOnlyOnItsOwnHost()
    {
        // Keyward sets its HSTS before forwarding and settles it in the response transform (issue 15: no OnStarting
        // callback per proxied request): each of these must still carry exactly one header.
        var closed = FreePort.Next();
        var (host, client, admin) = await StartWithAdminAsync(s =>
        {
            s["Keyward:Routes:down:Path"] = "/down/{**rest}";
            s["Keyward:Routes:down:Upstream"] = $"http://127.0.0.1:{closed}";
        });

        // The proxy's own 502 (the upstream is down: no upstream response, YARP's error path).
        var down = await client.ProxyAsync("/down/x", admin.Token);
        ProblemAssert.Problem(down, 502, "upstream_unavailable");
        Assert.Equal([DefaultHsts], down.Headers.GetValues("Strict-Transport-Security"));

        // The upstream's own answers: a 200, and an empty 404 that passes through as it is.
        Assert.Equal([DefaultHsts], (await client.ProxyAsync("/echo/x", admin.Token)).Headers.GetValues("Strict-Transport-Security"));
        var upstream404 = await client.ProxyAsync("/echo/missing?status=404", admin.Token);
        Assert.Equal(404, upstream404.StatusCode);
        Assert.Equal([DefaultHsts], upstream404.Headers.GetValues("Strict-Transport-Security"));

        // On a route with its own host, an upstream that sends its own keeps it, once: also one equal to Keyward's, and
        // max-age=0 (docs/security.md). On Keyward's own host (a path route) Keyward's stays: an upstream can neither turn
        // HSTS off for Keyward's origin nor widen it to its subdomains.
        var app = await SignInToAppAsync(client, admin);
        foreach (var own in new[] { DefaultHsts, "max-age=0", "max-age=60; includeSubDomains" })
        {
            var onItsHost = await SendWithCookieAsync(client, HttpMethod.Get, $"https://{AppHost}/x?hsts=" + Uri.EscapeDataString(own), app, origin: null, fetchSite: null, contentType: null, string.Empty, cookie: AppCookie);
            Assert.Equal(200, onItsHost.StatusCode);
            Assert.Equal([own], onItsHost.Headers.GetValues("Strict-Transport-Security"));

            var onKeywardsHost = await client.ProxyAsync("/echo/x?hsts=" + Uri.EscapeDataString(own), admin.Token);
            Assert.Equal(200, onKeywardsHost.StatusCode);
            Assert.Equal([DefaultHsts], onKeywardsHost.Headers.GetValues("Strict-Transport-Security"));
        }

        // A proxied request refused because its refusal could not be audited: the 503 drops what the request had set,
        // but not HSTS.
        var revoked = await client.LoginAsync("admin", client.Key);
        ProblemAssert.Ok(await client.LogoutAsync(revoked.Token));
        host.Audit.Failing = true;
        var unaudited = await client.ProxyAsync("/echo/x", revoked.Token);
        host.Audit.Failing = false;
        ProblemAssert.Problem(unaudited, 503, "audit_unavailable");
        Assert.Equal([DefaultHsts], unaudited.Headers.GetValues("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Hsts_Configured_IsSentAsConfiguredOrNotAtAll()
    {
        var (host, client, admin) = await StartWithAdminAsync(settings =>
        {
            settings["Keyward:Hsts:MaxAge"] = "1.00:00:00";
            settings["Keyward:Hsts:IncludeSubDomains"] = "true";
        });
        Assert.Equal(["max-age=86400; includeSubDomains"], (await client.GetAsync("/healthz")).Headers.GetValues("Strict-Transport-Security"));
        Assert.Equal(["max-age=86400; includeSubDomains"], (await client.ProxyAsync("/echo/x", admin.Token)).Headers.GetValues("Strict-Transport-Security"));
        await host.DisposeAsync();

        var off = ClientOf(await StartHostAsync(settings => settings["Keyward:Hsts:Enabled"] = "false"));
        Assert.False((await off.GetAsync("/healthz")).Headers.Contains("Strict-Transport-Security"));
        Assert.False((await off.ProxyAsync("/echo/x", admin.Token)).Headers.Contains("Strict-Transport-Security"));
    }
}
