using System.Globalization;
using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    [Fact]
    public async Task SignIn_RegisterLoginStatusProxyLogout_SameTokenRefusedAfterLogout()
    {
        var (host, client, admin) = await StartWithAdminAsync();

        var status = await client.StatusAsync(admin.Token);
        ProblemAssert.Ok(status);
        Assert.True(status.Json.GetProperty("active").GetBoolean());
        Assert.Equal("admin", status.GetString("account"));
        Assert.Equal("admin", status.GetString("role"));
        Assert.True(status.Json.GetProperty("user_verified").GetBoolean());
        Assert.Equal(host.Time.GetUtcNow().AddMinutes(30), status.Json.GetProperty("idle_expires_at").GetDateTimeOffset());

        var proxied = await client.ProxyAsync("/echo/counter?step=1", admin.Token);
        var upstream = UpstreamView.Parse(proxied);
        Assert.Equal("/echo/counter", upstream.Path);
        var assertion = IdentityAssertion.Parse(upstream.Header("Keyward-Assertion")!);
        Assert.Equal("kw-id+jwt", assertion.Header.GetProperty("typ").GetString());
        Assert.Equal("ES256", assertion.Header.GetProperty("alg").GetString());
        Assert.Equal("echo", assertion.Claim("aud"));
        Assert.Equal(admin.Id.ToString(), assertion.Claim("sid"));
        Assert.True(Guid.TryParse(assertion.Claim("sub"), out _));
        Assert.Equal(Origin, assertion.Claim("iss"));
        Assert.Equal("admin", assertion.Claim("name"));
        Assert.Equal("admin", assertion.Claim("role"));
        Assert.Equal(["hwk", "uv"], assertion.Amr);
        var now = host.Time.GetUtcNow().ToUnixTimeSeconds();
        Assert.InRange(assertion.NumericClaim("exp"), now + 1, now + 60);
        Assert.InRange(assertion.NumericClaim("exp") - assertion.NumericClaim("iat"), 1, 60);

        var jwks = await client.GetAsync("/.well-known/keyward/jwks.json");
        ProblemAssert.Ok(jwks);
        Assert.True(assertion.VerifiesWith(jwks.Json), "The assertion must verify with a key from Keyward's JWKS.");

        var logout = await client.LogoutAsync(admin.Token);
        ProblemAssert.Ok(logout);
        Assert.True(logout.Json.GetProperty("ended").GetBoolean());

        ProblemAssert.Problem(await client.StatusAsync(admin.Token), 401, "session_logged_out");
        ProblemAssert.Problem(await client.ProxyAsync("/echo/counter", admin.Token), 401, "session_logged_out");
        ProblemAssert.Problem(await client.LogoutAsync(admin.Token), 401, "session_logged_out");
        Assert.Equal(1, Echo.RequestCount);
    }

    [Fact]
    public async Task LoginFinish_Success_SetsHostPrefixedSecureCookieThatAuthenticates()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        await client.RegisterAdminAsync(host.SetupCode!);

        var (ceremony, credential) = await client.BeginAndGetAssertionAsync("admin", client.Key);
        var finished = await client.LoginFinishAsync(ceremony, credential);

        ProblemAssert.Ok(finished);
        var token = finished.GetString("session_token");
        Assert.StartsWith("kws_", token, StringComparison.Ordinal);
        Assert.Equal(host.Time.GetUtcNow().AddHours(12), finished.Json.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal(host.Time.GetUtcNow().AddMinutes(30), finished.Json.GetProperty("idle_expires_at").GetDateTimeOffset());
        var cookie = Assert.Single(finished.Headers.GetValues("Set-Cookie"));
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.StartsWith($"__Host-keyward-session={token}", cookie, StringComparison.Ordinal);
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/", attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain", StringComparison.Ordinal));

        var viaCookie = await client.SendAsync(HttpMethod.Post, "/session/status", new JsonObject(), configure: r => r.Headers.Add("Cookie", $"__Host-keyward-session={token}"), origin: client.Origin);
        ProblemAssert.Ok(viaCookie);
        Assert.Equal("admin", viaCookie.GetString("account"));

        // Signing out from the browser ends the session and deletes the cookie with the attributes __Host- needs.
        var logout = await client.SendAsync(HttpMethod.Post, "/session/logout", new JsonObject(), configure: r => r.Headers.Add("Cookie", $"__Host-keyward-session={token}"), origin: client.Origin);
        ProblemAssert.Ok(logout);
        var deletion = Assert.Single(logout.Headers.GetValues("Set-Cookie")).Split(';', StringSplitOptions.TrimEntries).ToList();
        Assert.Equal("__Host-keyward-session=", deletion[0]);
        Assert.Contains(deletion, a => a.StartsWith("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(deletion, a => a.Equals("secure", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(deletion, a => a.Equals("path=/", StringComparison.OrdinalIgnoreCase));
        ProblemAssert.Problem(await client.StatusAsync(token), 401, "session_logged_out");
    }

    [Fact]
    public async Task LoginBegin_UnknownUsername_LooksLikeAKnownOneAndNoKeyFinishesIt()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;

        var known = (await client.LoginBeginAsync("admin")).Json.GetProperty("public_key");
        var unknown = (await client.LoginBeginAsync("nobody")).Json.GetProperty("public_key");
        var unknownAgain = (await client.LoginBeginAsync("nobody")).Json.GetProperty("public_key");
        var other = (await client.LoginBeginAsync("somebody-else")).Json.GetProperty("public_key");

        // Same fields; stand-in ids shaped like the registered key's (length, transports); the same ones for the same
        // name every time (a fresh random set per call would give the unknown name away), different for another name.
        static string Shape(System.Text.Json.JsonElement options) => string.Join(",", options.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        static List<(int Length, string Transports)> Ids(System.Text.Json.JsonElement options) =>
            [.. options.GetProperty("allowCredentials").EnumerateArray().Select(c => (System.Buffers.Text.Base64Url.DecodeFromChars(c.GetProperty("id").GetString()).Length, c.GetProperty("transports").GetRawText()))];
        static List<string> Raw(System.Text.Json.JsonElement options) => [.. options.GetProperty("allowCredentials").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
        Assert.Equal(Shape(known), Shape(unknown));
        var real = Assert.Single(Ids(known));
        Assert.InRange(Ids(unknown).Count, 1, 2);
        Assert.All(Ids(unknown), id => Assert.Equal(real, id));
        Assert.Equal(Raw(unknown), Raw(unknownAgain));
        Assert.NotEqual(Raw(unknown), Raw(other));
        Assert.DoesNotContain(Raw(known)[0], Raw(unknown));

        // A ceremony begun for an unknown name is not a passkey sign-in: admin's key cannot finish it as admin.
        var begun = await client.LoginBeginAsync("nobody");
        var options = JsonNode.Parse(begun.Json.GetProperty("public_key").GetRawText())!.AsObject();
        options.Remove("allowCredentials");
        var credential = client.Key.GetAssertion(options.ToJsonString(), KeywardTestHost.InProcessOrigin);
        ProblemAssert.Problem(await client.LoginFinishAsync(Guid.Parse(begun.GetString("ceremony_id")), credential), 401, "credential_unknown");
    }

    [Fact]
    public async Task LoginBegin_ManyForOneAccountInEverySpelling_NeverKeepsItsOwnerOut()
    {
        var broker = await StartWithAdminAsync(s => s["Keyward:SignIn:FailuresBeforeBackoff"] = "3");
        var client = broker.Client;

        // What an attacker can do for free: ask for the account's options, again and again, in every spelling.
        foreach (var name in Enumerable.Repeat(new[] { "admin", "ADMIN", " admin " }, 20).SelectMany(n => n))
        {
            ProblemAssert.Ok(await client.LoginBeginAsync(name));
        }

        // The owner signs in by name and with a passkey (no name), and nothing was recorded as a rate-limit hit.
        var named = await client.BeginAndGetAssertionAsync("admin", client.Key);
        ProblemAssert.Ok(await client.LoginFinishAsync(named.CeremonyId, named.Credential));
        var discoverable = await client.BeginAndGetAssertionAsync(null, client.Key);
        ProblemAssert.Ok(await client.LoginFinishAsync(discoverable.CeremonyId, discoverable.Credential));
        Assert.DoesNotContain(await AllEventsAsync(broker.Host), e => e.Action == Core.Audit.AuditActions.RateLimited);
    }

    [Fact]
    public async Task LoginFinish_FailedAssertionsForAnAccount_BackOffWithRetryAfterButTheRealKeyStillSignsIn()
    {
        var broker = await StartWithAdminAsync(s => s["Keyward:SignIn:FailuresBeforeBackoff"] = "3");
        var client = broker.Client;
        var (_, stale) = await client.BeginAndGetAssertionAsync("admin", client.Key);

        // An assertion for another challenge fails verification against admin's key: three fail plainly...
        for (var i = 0; i < 3; i++)
        {
            var begin = await client.LoginBeginAsync("admin");
            ProblemAssert.Problem(await client.LoginFinishAsync(Guid.Parse(begin.GetString("ceremony_id")), stale), 401, "challenge_mismatch");
        }

        // ...the fourth is answered with the wait (1 s, then doubling), audited against the account it protects.
        var fourth = await client.LoginBeginAsync("admin");
        var limited = await client.LoginFinishAsync(Guid.Parse(fourth.GetString("ceremony_id")), stale);
        ProblemAssert.Problem(limited, 429, "rate_limited");
        Assert.Equal("1", Assert.Single(limited.Headers.GetValues("Retry-After")));
        var hit = Assert.Single(await AllEventsAsync(broker.Host), e => e.Action == Core.Audit.AuditActions.RateLimited);
        Assert.Equal(("signin.account", Core.Audit.AuditOutcomes.Denied, "admin"), (hit.Target, hit.Outcome, hit.Actor));

        // The real key is never refused for its account's failures, by name or as a passkey, and it clears them.
        broker.Host.Time.Advance(TimeSpan.FromSeconds(1));
        var real = await client.BeginAndGetAssertionAsync(null, client.Key);
        ProblemAssert.Ok(await client.LoginFinishAsync(real.CeremonyId, real.Credential));
        var again = await client.LoginBeginAsync("admin");
        ProblemAssert.Problem(await client.LoginFinishAsync(Guid.Parse(again.GetString("ceremony_id")), stale), 401, "challenge_mismatch");
    }

    [Fact]
    public async Task LoginFinish_AddressPastItsFailures_WaitsThenMayTryAgain()
    {
        var broker = await StartWithAdminAsync(s => s["Keyward:SignIn:FailuresBeforeBackoff"] = "2");
        var client = broker.Client;
        // A key with a credential for this RP that was never registered (its registration was abandoned).
        var stranger = KeywardTestClient.NewKey();
        var invite = await client.CreateInviteAsync(broker.Admin.Token, "stranger", "user");
        await client.BeginAndMakeCredentialAsync(new JsonObject { ["invite"] = invite }, stranger);
        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var (ceremony, credential) = await client.BeginAndGetAssertionAsync(null, stranger);
            statuses.Add((await client.LoginFinishAsync(ceremony, credential)).StatusCode);
        }

        // Two fail plainly; the third starts a wait of 1 s, during which every finish from this address waits, even a valid one.
        Assert.Equal([401, 401, 429], statuses);
        var valid = await client.BeginAndGetAssertionAsync("admin", client.Key);
        var waiting = await client.LoginFinishAsync(valid.CeremonyId, valid.Credential);
        ProblemAssert.Problem(waiting, 429, "rate_limited");
        Assert.Equal("1", Assert.Single(waiting.Headers.GetValues("Retry-After")));

        broker.Host.Time.Advance(TimeSpan.FromSeconds(1));
        var after = await client.BeginAndGetAssertionAsync("admin", client.Key);
        ProblemAssert.Ok(await client.LoginFinishAsync(after.CeremonyId, after.Credential));
    }

    [Fact]
    public async Task LoginBegin_MoreAttemptsThanPerAddressLimit_Returns429RateLimitedWithRetryAfter()
    {
        var host = await StartHostAsync(s => s["Keyward:SignIn:PerAddressPerMinute"] = "2");
        var client = ClientOf(host);

        ProblemAssert.Ok(await client.LoginBeginAsync(null));
        ProblemAssert.Ok(await client.LoginBeginAsync("a"));
        var limited = await client.LoginBeginAsync("b");

        ProblemAssert.Problem(limited, 429, "rate_limited");
        Assert.InRange(int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture), 1, 60);
        var hit = Assert.Single(await AllEventsAsync(host), e => e.Action == Core.Audit.AuditActions.RateLimited);
        Assert.Equal(("anonymous", "signin.address", "/session/login/begin"), (hit.Actor, hit.Target, hit.Details["path"]));
    }

    [Fact]
    public async Task LoginBegin_PastThePerAddressLimitAgainAndAgain_IsOneRateLimitEventThenOneCount()
    {
        var host = await StartHostAsync(s => s["Keyward:SignIn:PerAddressPerMinute"] = "1");
        var client = ClientOf(host);
        ProblemAssert.Ok(await client.LoginBeginAsync(null));
        for (var i = 0; i < 6; i++)
        {
            ProblemAssert.Problem(await client.LoginBeginAsync(null), 429, "rate_limited");
        }

        Assert.Single(await AllEventsAsync(host), e => e.Action == Core.Audit.AuditActions.RateLimited);
        await host.GetService<Keyward.Server.Audit.RepeatedRefusals>().FlushAsync();
        var hits = (await AllEventsAsync(host)).Where(e => e.Action == Core.Audit.AuditActions.RateLimited).ToList();
        Assert.Equal(2, hits.Count);
        Assert.Equal(("signin.address", "5", "/session/login/begin"), (hits[1].Target, hits[1].Details["count"], hits[1].Details["path"]));
    }

    [Fact]
    public async Task LoginFinish_SameCeremonyTwice_SecondReturnsCeremonyInvalid()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var (ceremony, credential) = await client.BeginAndGetAssertionAsync("admin", client.Key);

        ProblemAssert.Ok(await client.LoginFinishAsync(ceremony, credential));
        ProblemAssert.Problem(await client.LoginFinishAsync(ceremony, credential), 400, "ceremony_invalid");
    }

    [Fact]
    public async Task LoginFinish_TenConcurrentFinishesOfOneCeremony_OpenExactlyOneSession()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var (ceremony, credential) = await client.BeginAndGetAssertionAsync("admin", client.Key);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => client.LoginFinishAsync(ceremony, credential))));

        Assert.Single(results, r => r.StatusCode == 200);
        Assert.All(results.Where(r => r.StatusCode != 200), r => ProblemAssert.Problem(r, 400, "ceremony_invalid"));
    }

    [Fact]
    public async Task LoginFinish_ResponseToAnOlderChallenge_ReturnsChallengeMismatch()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var (first, oldCredential) = await client.BeginAndGetAssertionAsync("admin", client.Key);
        ProblemAssert.Ok(await client.LoginFinishAsync(first, oldCredential));
        var fresh = await client.LoginBeginAsync("admin");

        var replayed = await client.LoginFinishAsync(Guid.Parse(fresh.GetString("ceremony_id")), oldCredential);

        ProblemAssert.Problem(replayed, 401, "challenge_mismatch");
    }

    [Fact]
    public async Task LoginFinish_ClonedKeyBehindOnItsCounter_ReturnsSignCountRegressed()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var original = KeywardTestClient.NewKey(new VirtualAuthenticatorOptions { KeyFileIterations = VirtualAuthenticatorOptions.MinimumKeyFileIterations });
        await client.RegisterAdminAsync(host.SetupCode!, key: original);
        var file = _data.Combine("cloned-key.bin");
        original.Save(file, "clone");
        var clone = VirtualAuthenticator.Load(file, "clone");
        await client.LoginAsync("admin", original);
        await client.LoginAsync("admin", original);

        var (ceremony, credential) = await client.BeginAndGetAssertionAsync("admin", clone);

        ProblemAssert.Problem(await client.LoginFinishAsync(ceremony, credential), 401, "sign_count_regressed");
    }

    [Fact]
    public async Task LoginFinish_KeyThatKeepsNoCounter_SignsInRepeatedly()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var passkey = KeywardTestClient.NewKey(new VirtualAuthenticatorOptions { SignCounter = SignCounterMode.Zero });
        await client.RegisterAdminAsync(host.SetupCode!, key: passkey);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("admin", (await client.LoginAsync("admin", passkey)).Account);
        }
    }

    [Fact]
    public async Task LoginFinish_CeremonyOlderThanItsLifetime_ReturnsCeremonyInvalid()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var (ceremony, credential) = await client.BeginAndGetAssertionAsync("admin", client.Key);

        broker.Host.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        ProblemAssert.Problem(await client.LoginFinishAsync(ceremony, credential), 400, "ceremony_invalid");
    }

    [Fact]
    public async Task LoginFinish_RegistrationCeremonyId_ReturnsCeremonyInvalid()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        await client.StepUpAsync(broker.Admin.Token, "key.add");
        var registration = await client.RegisterBeginAsync(new JsonObject(), broker.Admin.Token);
        ProblemAssert.Ok(registration);
        var (_, credential) = await client.BeginAndGetAssertionAsync("admin", client.Key);

        var finished = await client.LoginFinishAsync(Guid.Parse(registration.GetString("ceremony_id")), credential);

        ProblemAssert.Problem(finished, 400, "ceremony_invalid");
    }

    [Fact]
    public async Task LoginFinish_UnregisteredKey_ReturnsCredentialUnknown()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;

        // The stranger's key holds a credential for this RP that was never registered (the ceremony was abandoned).
        var stranger = KeywardTestClient.NewKey();
        var invite = await client.CreateInviteAsync(broker.Admin.Token, "stranger", "user");
        await client.BeginAndMakeCredentialAsync(new JsonObject { ["invite"] = invite }, stranger);
        var (ceremony, credential) = await client.BeginAndGetAssertionAsync(null, stranger);

        ProblemAssert.Problem(await client.LoginFinishAsync(ceremony, credential), 401, "credential_unknown");
    }

    [Fact]
    public async Task LoginFinish_AnotherAccountsKeyForANamedSignIn_ReturnsCredentialUnknown()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var (_, bobKey) = await AddUserAsync(broker, "bob");
        var started = await client.LoginBeginAsync("admin");
        var options = JsonNode.Parse(started.Json.GetProperty("public_key").GetRawText())!.AsObject();

        // Bob's browser ignores the allow list and answers with his own passkey.
        options.Remove("allowCredentials");
        var credential = bobKey.GetAssertion(options.ToJsonString(), Origin);

        ProblemAssert.Problem(await client.LoginFinishAsync(Guid.Parse(started.GetString("ceremony_id")), credential), 401, "credential_unknown");
    }

    [Fact]
    public async Task LoginFinish_ResponseMadeForAnotherOrigin_ReturnsOriginMismatch()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var started = await client.LoginBeginAsync("admin");

        // A sibling site under the RP ID may run the ceremony, but Keyward only accepts its own origin.
        var credential = client.Key.GetAssertion(started.Json.GetProperty("public_key").GetRawText(), "https://evil.localhost");

        ProblemAssert.Problem(await client.LoginFinishAsync(Guid.Parse(started.GetString("ceremony_id")), credential), 401, "origin_mismatch");
    }
}
