using System.Globalization;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    private static readonly string[] IdentityHeaders =
    [
        "Authorization", "Proxy-Authorization", "X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Groups",
        "X-Auth-Request-User", "X-Remote-User", "Remote-User", "X-User", "X-Email",
    ];

    [Fact]
    public async Task Proxy_ClientIdentityHeadersAndSessionCookie_NeverReachUpstream()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var proxied = await client.ProxyAsync("/echo/whoami", admin.Token, r =>
        {
            foreach (var name in IdentityHeaders.Skip(1))
            {
                r.Headers.TryAddWithoutValidation(name, "root");
            }

            r.Headers.TryAddWithoutValidation("Keyward-Assertion", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyb290In0.");
            r.Headers.TryAddWithoutValidation("keyward-account", "root");
            r.Headers.TryAddWithoutValidation("Cookie", $"theme=dark; __Host-keyward-session={admin.Token}; lang=en");
            r.Headers.TryAddWithoutValidation("X-Request-Note", "kept");
            r.Headers.TryAddWithoutValidation("Accept-Language", "de");
        });

        var upstream = UpstreamView.Parse(proxied);
        Assert.All(IdentityHeaders, name => Assert.False(upstream.Has(name), $"{name} reached the upstream: {upstream}"));
        Assert.Equal(["Keyward-Assertion"], upstream.HeaderNames.Where(n => n.StartsWith("Keyward-", StringComparison.OrdinalIgnoreCase)));
        var assertion = IdentityAssertion.Parse(upstream.Header("Keyward-Assertion")!);
        Assert.Equal(admin.Id.ToString(), assertion.Claim("sid"));
        Assert.Equal(["theme=dark", "lang=en"], upstream.Cookies());
        Assert.Equal("kept", upstream.Header("X-Request-Note"));
        Assert.Equal("de", upstream.Header("Accept-Language"));
        Assert.False(TokenLeaks.Contains(proxied.Body), "The session token reached the upstream.");
    }

    [Fact]
    public async Task Proxy_UpstreamSetCookieForTheSession_NeverReachesTheClient()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var planted = Uri.EscapeDataString("__Host-keyward-session=kws_planted; Path=/; Secure; HttpOnly");
        var cleared = Uri.EscapeDataString("__HOST-KEYWARD-SESSION=; Path=/; Secure");
        var kept = Uri.EscapeDataString("theme=dark; Path=/");

        var proxied = await client.ProxyAsync($"/echo/cookies?set-cookie={planted}&set-cookie={cleared}&set-cookie={kept}", admin.Token);

        Assert.Equal(200, proxied.StatusCode);
        var setCookies = proxied.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
        Assert.Equal(["theme=dark; Path=/"], setCookies);
    }

    [Fact]
    public async Task Proxy_SessionInCookieAndBasicAuthorization_IsRefusedOnAPathRoute()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var proxied = await client.ProxyAsync("/echo/cookie", null, r =>
        {
            r.Headers.TryAddWithoutValidation("Authorization", "Basic cm9vdDpyb290");
            r.Headers.TryAddWithoutValidation("Cookie", $"__Host-keyward-session={admin.Token}; theme=dark");
        });

        // Path routes take only Bearer: the cookie opens nothing, and nothing reaches the upstream.
        ProblemAssert.Problem(proxied, 401, "bearer_required");
        Assert.Equal(0, Echo.RequestCount);
    }

    [Fact]
    public async Task Proxy_OnlyCookieIsTheSession_UpstreamGetsNoCookieHeader()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var upstream = UpstreamView.Parse(await client.ProxyAsync("/echo/only", admin.Token, r => r.Headers.TryAddWithoutValidation("Cookie", $"__Host-keyward-session={admin.Token}")));

        Assert.False(upstream.Has("Cookie"), upstream.ToString());
    }

    [Theory]
    [InlineData("__host-keyward-session={0}; theme=dark")]
    [InlineData("__HOST-KEYWARD-SESSION={0}; theme=dark")]
    [InlineData("theme=dark;__Host-keyward-session={0}")]
    [InlineData("theme=dark, __Host-keyward-session={0}")]
    [InlineData("__Host-keyward-session=\"{0}\"; theme=dark")]
    [InlineData("__Host-keyward-session=%6B{1}; theme=dark")]
    public async Task Proxy_SessionCookieInAnyFormKeywardAccepts_NeverReachesUpstream(string cookieFormat)
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var cookie = string.Format(CultureInfo.InvariantCulture, cookieFormat, admin.Token, admin.Token[1..]);

        // Whatever spelling Keyward itself accepts as the session cookie is a credential, and the proxy must strip it.
        var proxied = await client.ProxyAsync("/echo/cookie-forms", null, r => r.Headers.TryAddWithoutValidation("Cookie", cookie));

        Assert.True(proxied.StatusCode is 200 or 401, proxied.ToString());
        if (proxied.StatusCode == 200)
        {
            var upstream = UpstreamView.Parse(proxied);
            Assert.False(proxied.Body.Contains(admin.Token[4..], StringComparison.Ordinal), $"Keyward accepted the cookie as a session, and the token reached the upstream in: {Preview(upstream.Header("Cookie"))}");
            Assert.Equal(admin.Id.ToString(), IdentityAssertion.Parse(upstream.Header("Keyward-Assertion")!).Claim("sid"));
        }
    }

    [Fact]
    public async Task Proxy_ForgedAssertionWithoutSession_IsRefusedBeforeUpstream()
    {
        var (_, client, _) = await StartWithAdminAsync();

        var refused = await client.ProxyAsync("/echo/x", null, r => r.Headers.TryAddWithoutValidation("Keyward-Assertion", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyb290In0."));

        ProblemAssert.Problem(refused, 401, "session_missing");
        Assert.Equal(0, Echo.RequestCount);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Proxy_UvOnlyRouteWithoutUserVerification_Returns403UserVerificationRequired(bool capable, bool verified)
    {
        var (_, client, _) = await StartWithAdminAsync();
        var withUv = client.Key.Options;
        client.Key.Options = withUv with { UserVerificationCapable = capable, UserVerified = verified };
        var presenceOnly = await client.LoginAsync("admin");
        Assert.False(presenceOnly.UserVerified);

        ProblemAssert.Problem(await client.ProxyAsync("/uv/secret", presenceOnly.Token), 403, "user_verification_required");
        var echo = UpstreamView.Parse(await client.ProxyAsync("/echo/x", presenceOnly.Token));
        Assert.Equal(["hwk"], IdentityAssertion.Parse(echo.Header("Keyward-Assertion")!).Amr);

        client.Key.Options = withUv;
        var verifiedSession = await client.LoginAsync("admin");
        Assert.True(verifiedSession.UserVerified);
        var admitted = UpstreamView.Parse(await client.ProxyAsync("/uv/secret", verifiedSession.Token));
        var assertion = IdentityAssertion.Parse(admitted.Header("Keyward-Assertion")!);
        Assert.Equal("uv-only", assertion.Claim("aud"));
        Assert.Equal(["hwk", "uv"], assertion.Amr);
        Assert.Equal(2, Echo.RequestCount);
    }

    [Fact]
    public async Task Proxy_AdminsRouteWithUserRole_Returns403RoleRequired()
    {
        var broker = await StartWithAdminAsync();
        var (bob, _) = await AddUserAsync(broker, "bob");

        ProblemAssert.Problem(await broker.Client.ProxyAsync("/admins/panel", bob.Token), 403, "role_required");
        var forAdmin = UpstreamView.Parse(await broker.Client.ProxyAsync("/admins/panel", broker.Admin.Token));
        var forBob = UpstreamView.Parse(await broker.Client.ProxyAsync("/echo/panel", bob.Token));

        var adminAssertion = IdentityAssertion.Parse(forAdmin.Header("Keyward-Assertion")!);
        Assert.Equal(("admins", "admin"), (adminAssertion.Claim("aud"), adminAssertion.Claim("role")));
        var bobAssertion = IdentityAssertion.Parse(forBob.Header("Keyward-Assertion")!);
        Assert.Equal(("echo", "user", "bob", bob.Id.ToString()), (bobAssertion.Claim("aud"), bobAssertion.Claim("role"), bobAssertion.Claim("name"), bobAssertion.Claim("sid")));
        Assert.Equal(2, Echo.RequestCount);
    }

    [Fact]
    public async Task Jwks_PublishesEs256PublicKeysThatSignAssertions()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var assertion = IdentityAssertion.Parse(UpstreamView.Parse(await client.ProxyAsync("/echo/x", admin.Token)).Header("Keyward-Assertion")!);

        var jwks = await client.GetAsync("/.well-known/keyward/jwks.json");

        ProblemAssert.Ok(jwks);
        Assert.Equal("application/json", jwks.MediaType);
        var keys = jwks.Json.GetProperty("keys").EnumerateArray().ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.Equal(("EC", "P-256", "ES256", "sig"), (key.GetProperty("kty").GetString(), key.GetProperty("crv").GetString(), key.GetProperty("alg").GetString(), key.GetProperty("use").GetString()));
            Assert.False(key.TryGetProperty("d", out _), "A JWKS must never publish a private key.");
        });
        Assert.Equal(keys.Count, keys.Select(k => k.GetProperty("kid").GetString()).Distinct().Count());
        Assert.Contains(assertion.Kid, keys.Select(k => k.GetProperty("kid").GetString()));
        Assert.True(assertion.VerifiesWith(jwks.Json));
    }

    [Fact]
    public async Task Jwks_AfterKeyRotation_PublishesRetiredKeyOnlyForTheOverlap()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var first = IdentityAssertion.Parse(UpstreamView.Parse(await client.ProxyAsync("/echo/x", admin.Token)).Header("Keyward-Assertion")!);

        host.Time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        // On PostgreSQL the keys rotate at the node's next refresh, and a new key signs only after its publish delay
        // (BrokerTests.SharedKeys); on SQLite the refresh does nothing and the new key signs at once.
        await RefreshKeysAsync(host);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await RefreshKeysAsync(host);
        var session = await client.LoginAsync("admin");
        var second = IdentityAssertion.Parse(UpstreamView.Parse(await client.ProxyAsync("/echo/x", session.Token)).Header("Keyward-Assertion")!);

        Assert.NotEqual(first.Kid, second.Kid);
        var during = (await client.GetAsync("/.well-known/keyward/jwks.json")).Json;
        Assert.True(first.VerifiesWith(during), "A retired key stays published for the overlap, so assertions in flight still verify.");
        Assert.True(second.VerifiesWith(during));

        host.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        await RefreshKeysAsync(host);
        ProblemAssert.Ok(await client.ProxyAsync("/echo/x", (await client.LoginAsync("admin")).Token));
        var after = (await client.GetAsync("/.well-known/keyward/jwks.json")).Json;
        Assert.True(second.VerifiesWith(after));
        Assert.False(first.VerifiesWith(after), "After the overlap the retired key must leave the JWKS (SigningKeyStore prunes only when it rotates).");
    }

    [Fact]
    public async Task Healthz_WithoutSession_AnswersOk()
    {
        var client = ClientOf(await StartHostAsync());

        var health = await client.GetAsync("/healthz");

        ProblemAssert.Ok(health);
        Assert.Equal("ok", health.GetString("status"));
    }

    /// <summary>The start of a header value, enough to say which cookie it was without printing a whole token.</summary>
    private static string Preview(string? value) => value is null ? "(none)" : value.Length <= 26 ? value : value[..26] + "…";
}
