using System.Text.Json.Nodes;
using Keyward.Core.Credentials;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    [Fact]
    public async Task Session_PastAbsoluteLifetimeDespiteUse_ReturnsSessionExpired()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var expiresAt = host.Time.GetUtcNow().AddHours(12);

        // Used every 25 minutes, it never idles out, but it cannot outlive 12 hours.
        while (host.Time.GetUtcNow().AddMinutes(25) < expiresAt)
        {
            host.Time.Advance(TimeSpan.FromMinutes(25));
            ProblemAssert.Ok(await client.StatusAsync(admin.Token));
        }

        host.Time.SetUtcNow(expiresAt);

        ProblemAssert.Problem(await client.StatusAsync(admin.Token), 401, "session_expired");
        ProblemAssert.Problem(await client.ProxyAsync("/echo/x", admin.Token), 401, "session_expired");
    }

    [Fact]
    public async Task Session_UnusedLongerThanIdleTimeout_ReturnsSessionIdleExpired()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var other = await client.LoginAsync("admin");

        host.Time.Advance(TimeSpan.FromMinutes(31));

        ProblemAssert.Problem(await client.StatusAsync(admin.Token), 401, "session_idle_expired");
        ProblemAssert.Problem(await client.ProxyAsync("/echo/x", other.Token), 401, "session_idle_expired");
        ProblemAssert.Problem(await client.StatusAsync(admin.Token), 401, "session_idle_expired");
    }

    [Fact]
    public async Task Session_UsedEveryTwentyMinutes_StaysValidPastIdleTimeout()
    {
        var (host, client, admin) = await StartWithAdminAsync();

        for (var i = 0; i < 4; i++)
        {
            host.Time.Advance(TimeSpan.FromMinutes(20));
            var proxied = await client.ProxyAsync("/echo/tick", admin.Token);
            UpstreamView.Parse(proxied);
        }

        host.Time.Advance(TimeSpan.FromMinutes(29));
        var status = await client.StatusAsync(admin.Token);
        ProblemAssert.Ok(status);
        Assert.Equal(host.Time.GetUtcNow().AddMinutes(30), status.Json.GetProperty("idle_expires_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Session_RevokedFromAnotherSessionOfTheAccount_ReturnsSessionRevokedAtOnce()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var laptop = await client.LoginAsync("admin");
        ProblemAssert.Ok(await client.StatusAsync(laptop.Token));

        var list = await client.GetAsync("/session/list", admin.Token);
        ProblemAssert.Ok(list);
        var sessions = list.Json.EnumerateArray().ToDictionary(s => s.GetProperty("id").GetGuid(), s => s.GetProperty("current").GetBoolean());
        Assert.Equal(new Dictionary<Guid, bool> { [admin.Id] = true, [laptop.Id] = false }, sessions);

        var revoked = await client.DeleteAsync($"/session/{laptop.Id}", admin.Token);

        ProblemAssert.Ok(revoked, 204);
        ProblemAssert.Problem(await client.StatusAsync(laptop.Token), 401, "session_revoked");
        ProblemAssert.Problem(await client.ProxyAsync("/echo/x", laptop.Token), 401, "session_revoked");
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));
        ProblemAssert.Problem(await client.DeleteAsync($"/session/{laptop.Id}", admin.Token), 404, "session_not_found");
        var after = await client.GetAsync("/session/list", admin.Token);
        Assert.Equal([admin.Id], after.Json.EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task SessionList_ShowsEachSessionsDeviceAndLatestUse()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var opened = host.Time.GetUtcNow();
        client.DefaultHeaders.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36");
        var laptop = await client.LoginAsync("admin");
        host.Time.Advance(TimeSpan.FromMinutes(5));
        ProblemAssert.Ok(await client.StatusAsync(laptop.Token));

        var list = (await client.GetAsync("/session/list", admin.Token)).Json.EnumerateArray().ToDictionary(s => s.GetProperty("id").GetGuid(), s => s.Clone());
        Assert.Equal("Chrome on Linux", list[laptop.Id].GetProperty("device").GetString());
        Assert.True(!list[admin.Id].TryGetProperty("device", out var none) || none.ValueKind == System.Text.Json.JsonValueKind.Null, "a sign-in without a User-Agent names no device");
        Assert.Equal(host.Time.GetUtcNow(), list[laptop.Id].GetProperty("last_seen_at").GetDateTimeOffset());
        Assert.Equal(opened, list[laptop.Id].GetProperty("created_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Session_RevokeAnotherAccountsSession_ReturnsSessionNotFound()
    {
        var broker = await StartWithAdminAsync();
        var (bob, _) = await AddUserAsync(broker, "bob");

        ProblemAssert.Problem(await broker.Client.DeleteAsync($"/session/{broker.Admin.Id}", bob.Token), 404, "session_not_found");
        ProblemAssert.Ok(await broker.Client.StatusAsync(broker.Admin.Token));
    }

    [Fact]
    public async Task Admin_RevokeSessionsOfAccount_EndsEveryOneOfThem()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var (bob1, bobKey) = await AddUserAsync(broker, "bob");
        var bob2 = await client.LoginAsync("bob", bobKey);

        ProblemAssert.Problem(await client.PostAsync("/api/admin/accounts/admin/revoke-sessions", token: bob1.Token), 403, "role_required");
        await client.StepUpAsync(broker.Admin.Token, "admin");
        var revoked = await client.PostAsync("/api/admin/accounts/bob/revoke-sessions", token: broker.Admin.Token);

        ProblemAssert.Ok(revoked);
        Assert.Equal(2, revoked.Json.GetProperty("revoked").GetInt32());
        ProblemAssert.Problem(await client.StatusAsync(bob1.Token), 401, "session_revoked");
        ProblemAssert.Problem(await client.ProxyAsync("/echo/x", bob2.Token), 401, "session_revoked");
        ProblemAssert.Ok(await client.StatusAsync(broker.Admin.Token));
        ProblemAssert.Problem(await client.PostAsync("/api/admin/accounts/nobody/revoke-sessions", token: broker.Admin.Token), 404, "account_not_found");

        // Bob can sign in again: revocation ends sessions, not the account.
        ProblemAssert.Ok(await client.StatusAsync((await client.LoginAsync("bob", bobKey)).Token));
    }

    [Fact]
    public async Task Keys_RemoveSecondKey_EndsSessionsItOpenedAndLastKeyStays()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var backup = KeywardTestClient.NewKey();
        var added = await client.AddKeyAsync(admin.Token, backup, "backup");
        Assert.Equal(("admin", "backup"), (added.Account, added.Key.Name));
        var byName = await client.LoginAsync("admin", backup);
        var discoverable = await client.LoginAsync(null, backup);
        Assert.Equal("admin", discoverable.Account);

        var keys = await client.GetAsync("/api/keys", admin.Token);
        ProblemAssert.Ok(keys);
        var listed = keys.Json.EnumerateArray().ToDictionary(k => k.GetProperty("id").GetGuid(), k => k.GetProperty("current").GetBoolean());
        Assert.Equal(2, listed.Count);
        Assert.False(listed[added.Key.Id]);
        var primary = listed.Single(k => k.Value).Key;

        await client.StepUpAsync(admin.Token, "key.remove", added.Key.Id.ToString());
        var removed = await client.DeleteAsync($"/api/keys/{added.Key.Id}", admin.Token);

        ProblemAssert.Ok(removed);
        Assert.Equal(2, removed.Json.GetProperty("sessions_ended").GetInt32());
        ProblemAssert.Problem(await client.StatusAsync(byName.Token), 401, "session_authenticator_removed");
        ProblemAssert.Problem(await client.ProxyAsync("/echo/x", discoverable.Token), 401, "session_authenticator_removed");
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));

        var (ceremony, credential) = await client.BeginAndGetAssertionAsync(null, backup);
        ProblemAssert.Problem(await client.LoginFinishAsync(ceremony, credential), 401, "credential_unknown");

        ProblemAssert.Problem(await client.DeleteAsync($"/api/keys/{primary}", admin.Token), 409, "last_key");
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));
        Assert.Single((await client.GetAsync("/api/keys", admin.Token)).Json.EnumerateArray());
    }

    [Fact]
    public async Task Keys_Rename_ChangesOwnKeyOnly()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var (bob, _) = await AddUserAsync(broker, "bob");
        var adminKey = (await client.GetAsync("/api/keys", broker.Admin.Token)).Json.EnumerateArray().Single().GetProperty("id").GetGuid();

        ProblemAssert.Ok(await client.SendAsync(HttpMethod.Patch, $"/api/keys/{adminKey}", new JsonObject { ["name"] = "  yubikey  " }, broker.Admin.Token), 204);
        ProblemAssert.Problem(await client.SendAsync(HttpMethod.Patch, $"/api/keys/{adminKey}", new JsonObject { ["name"] = "" }, broker.Admin.Token), 400, "name_invalid");
        ProblemAssert.Problem(await client.SendAsync(HttpMethod.Patch, $"/api/keys/{adminKey}", new JsonObject { ["name"] = "mine now" }, bob.Token), 404, "key_not_found");

        var listed = (await client.GetAsync("/api/keys", broker.Admin.Token)).Json.EnumerateArray().Single();
        Assert.Equal("yubikey", listed.GetProperty("name").GetString());
        Assert.True(listed.GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task Keys_RemoveAnotherAccountsKey_ReturnsKeyNotFound()
    {
        var broker = await StartWithAdminAsync();
        var (bob, bobKey) = await AddUserAsync(broker, "bob");
        await broker.Client.AddKeyAsync(bob.Token, KeywardTestClient.NewKey(), "bob's second", stepUpKey: bobKey);
        var bobKeys = await broker.Client.GetAsync("/api/keys", bob.Token);
        var bobKeyId = bobKeys.Json.EnumerateArray().First().GetProperty("id").GetGuid();

        ProblemAssert.Problem(await broker.Client.DeleteAsync($"/api/keys/{bobKeyId}", broker.Admin.Token), 404, "key_not_found");
        ProblemAssert.Ok(await broker.Client.StatusAsync((await broker.Client.LoginAsync("bob", bobKey)).Token));
    }

    [Fact]
    public async Task Session_TamperedToken_ReturnsSessionInvalid()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        foreach (var index in new[] { 4, 20, admin.Token.Length - 1 })
        {
            var tampered = admin.Token[..index] + (admin.Token[index] == 'A' ? 'B' : 'A') + admin.Token[(index + 1)..];
            ProblemAssert.Problem(await client.StatusAsync(tampered), 401, "session_invalid");
            ProblemAssert.Problem(await client.ProxyAsync("/echo/x", tampered), 401, "session_invalid");
        }

        ProblemAssert.Problem(await client.StatusAsync(admin.Token + "A"), 401, "session_invalid");
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));
    }

    [Fact]
    public async Task Session_WellFormedButNeverIssued_ReturnsSessionInvalid()
    {
        var (_, client, _) = await StartWithAdminAsync();

        ProblemAssert.Problem(await client.StatusAsync(SecretToken.Generate(CredentialKind.Session)), 401, "session_invalid");
    }

    [Fact]
    public async Task Session_CredentialOfAnotherKind_ReturnsSessionInvalid()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var invite = await client.CreateInviteAsync(broker.Admin.Token, "erin", "user");

        ProblemAssert.Problem(await client.StatusAsync(invite), 401, "session_invalid");
        ProblemAssert.Problem(await client.ProxyAsync("/echo/x", invite), 401, "session_invalid");
        ProblemAssert.Problem(await client.StatusAsync("kws_" + invite[4..]), 401, "session_invalid");

        // Presenting it as a session neither used nor broke the invite.
        Assert.Equal("erin", (await client.RegisterWithInviteAsync(invite, KeywardTestClient.NewKey())).Account);
    }

    [Fact]
    public async Task Session_NoToken_ReturnsSessionMissing()
    {
        var (_, client, _) = await StartWithAdminAsync();

        var status = await client.StatusAsync(null);
        ProblemAssert.Problem(status, 401, "session_missing");
        Assert.Contains("Bearer", status.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        ProblemAssert.Problem(await client.ProxyAsync("/echo/x", null), 401, "session_missing");
        ProblemAssert.Problem(await client.GetAsync("/session/list"), 401, "session_missing");
        ProblemAssert.Problem(await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "x", ["role"] = "user" }), 401, "session_missing");
        Assert.Equal(0, Echo.RequestCount);
    }

    [Fact]
    public async Task Proxy_PathRouteBrowserNavigationWithoutSession_Gets401NeverARedirect()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        static void Navigation(HttpRequestMessage r) => r.Headers.Add("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");

        // Path routes are for API clients: no navigation is sent to sign in on Keyward's origin and back into an upstream.
        var refused = await client.ProxyAsync("/echo/page?x=1", null, Navigation);
        ProblemAssert.Problem(refused, 401, "session_missing");
        Assert.Null(refused.Headers.Location);

        // Nor does the session cookie open a path route, live or stale.
        var cookie = await client.ProxyAsync("/echo/page", null, r =>
        {
            Navigation(r);
            r.Headers.Add("Cookie", $"__Host-keyward-session={admin.Token}");
        });
        ProblemAssert.Problem(cookie, 401, "bearer_required");
        Assert.Null(cookie.Headers.Location);
        Assert.Equal(0, Echo.RequestCount);
    }
}
