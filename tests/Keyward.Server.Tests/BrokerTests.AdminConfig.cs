using System.Text.Json.Nodes;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>
/// The console's read-only admin pages (issue 14 item 2): the routes and the assertion signing keys, admins only and
/// without a secret; and an invite's lifetime chosen by the admin.
/// </summary>
public abstract partial class BrokerTests
{
    [Fact]
    public async Task AdminRoutes_ListsMatchUpstreamPolicyAndWebSocket_WithoutCredentials_AndRefusesUsers()
    {
        var broker = await StartWithAdminAsync(settings =>
        {
            settings["Keyward:Routes:secretive:Path"] = "/secretive/{**rest}";
            settings["Keyward:Routes:secretive:Upstream"] = "https://svc:hunter2-password@127.0.0.1:9443/base/?api_key=query-secret#frag";
            settings["Keyward:Routes:secretive:WebSocket:Enabled"] = "true";
            settings["Keyward:Routes:secretive:WebSocket:AllowedOrigins:0"] = "https://App.Example.com";
            settings["Keyward:Routes:secretive:StripRequestHeaders:0"] = "X-Tenant-*";
        });
        var (_, client, admin) = broker;
        var (bob, _) = await AddUserAsync(broker, "bob");

        var listed = await client.GetAsync("/api/admin/routes", admin.Token);

        ProblemAssert.Ok(listed);
        Assert.True(listed.Headers.CacheControl?.NoStore);
        Assert.DoesNotContain("hunter2", listed.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("svc", listed.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("query-secret", listed.Body, StringComparison.Ordinal);
        var routes = listed.Json.EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal(["admins", "app", "echo", "other", "secretive", "uv-only"], routes.Keys.Order(StringComparer.Ordinal));

        var secretive = routes["secretive"];
        Assert.Equal("https://127.0.0.1:9443/base/", secretive.GetProperty("upstream").GetString());
        Assert.Equal("/secretive/{**rest}", secretive.GetProperty("path").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, secretive.GetProperty("host").ValueKind);
        var ws = secretive.GetProperty("websocket");
        Assert.True(ws.GetProperty("enabled").GetBoolean());
        Assert.Equal("https://app.example.com", ws.GetProperty("allowed_origins")[0].GetString());
        Assert.Equal(8 * 3600, ws.GetProperty("max_lifetime_seconds").GetInt64());
        Assert.Equal("X-Tenant-*", secretive.GetProperty("strip_request_headers")[0].GetString());

        Assert.Equal(["admin"], routes["admins"].GetProperty("policy").GetProperty("roles_allowed").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["admin", "user"], routes["echo"].GetProperty("policy").GetProperty("roles_allowed").EnumerateArray().Select(r => r.GetString()));
        Assert.True(routes["uv-only"].GetProperty("policy").GetProperty("require_user_verification").GetBoolean());
        Assert.False(routes["echo"].GetProperty("websocket").GetProperty("enabled").GetBoolean());
        Assert.Equal(("app.localhost", "/{**catch-all}"), (routes["app"].GetProperty("host").GetString(), routes["app"].GetProperty("path").GetString()));

        ProblemAssert.Problem(await client.GetAsync("/api/admin/routes", bob.Token), 403, "role_required");
        ProblemAssert.Problem(await client.GetAsync("/api/admin/routes"), 401, "session_missing");
    }

    [Fact]
    public async Task AdminSigningKeys_ShowsCurrentThenRetiringAfterRotation_PublicPartsOnly_AndRefusesUsers()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        var (bob, _) = await AddUserAsync(broker, "bob");
        var jwks = await client.GetAsync("/.well-known/keyward/jwks.json");
        var firstKid = jwks.Json.GetProperty("keys")[0].GetProperty("kid").GetString();

        var shown = await client.GetAsync("/api/admin/signing-keys", admin.Token);

        ProblemAssert.Ok(shown);
        Assert.True(shown.Headers.CacheControl?.NoStore);
        var key = Assert.Single(shown.Json.GetProperty("keys").EnumerateArray());
        Assert.Equal((firstKid, "current", "ES256"), (key.GetProperty("kid").GetString(), key.GetProperty("state").GetString(), key.GetProperty("alg").GetString()));
        var interval = TimeSpan.FromSeconds(shown.Json.GetProperty("rotation_interval_seconds").GetInt64());
        var overlap = TimeSpan.FromSeconds(shown.Json.GetProperty("overlap_seconds").GetInt64());
        var created = key.GetProperty("created_at").GetDateTimeOffset();
        Assert.Equal(created + interval, shown.Json.GetProperty("next_rotation_at").GetDateTimeOffset());
        Assert.Equal(created + interval + overlap, key.GetProperty("not_after").GetDateTimeOffset());
        foreach (var privateOrKeyMaterial in new[] { "\"d\"", "PRIVATE", "\"x\"", "\"y\"" })
        {
            Assert.DoesNotContain(privateOrKeyMaterial, shown.Body, StringComparison.Ordinal);
        }

        ProblemAssert.Problem(await client.GetAsync("/api/admin/signing-keys", bob.Token), 403, "role_required");

        // Past the rotation: a new current key, the old one retiring until the overlap ends.
        host.Time.Advance(interval + TimeSpan.FromMinutes(1));
        // On PostgreSQL the node rotates at its next refresh and the new key signs after its publish delay (shown as
        // "next" meanwhile); on SQLite the refresh does nothing and the new key signs at once.
        await RefreshKeysAsync(host);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await RefreshKeysAsync(host);
        var rotated = await client.GetAsync("/api/admin/signing-keys", (await client.LoginAsync("admin")).Token);
        ProblemAssert.Ok(rotated);
        var keys = rotated.Json.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(["current", "retiring"], keys.Select(k => k.GetProperty("state").GetString()));
        Assert.Equal(firstKid, keys[1].GetProperty("kid").GetString());
        Assert.NotEqual(firstKid, keys[0].GetProperty("kid").GetString());
        var retiredAt = keys[1].GetProperty("retired_at").GetDateTimeOffset();
        Assert.Equal(keys[0].GetProperty("created_at").GetDateTimeOffset(), retiredAt);
        Assert.Equal(retiredAt + overlap, keys[1].GetProperty("not_after").GetDateTimeOffset());
    }

    [Fact]
    public async Task AdminInvite_LifetimeSeconds_SetsTheExpiryWithinTheConfiguredMaximum()
    {
        var (host, client, admin) = await StartWithAdminAsync(s => s["Keyward:SignIn:InviteLifetime"] = "02:00:00");
        await client.StepUpAsync(admin.Token, "admin");
        var now = host.Time.GetUtcNow();

        var hour = await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "carol", ["lifetime_seconds"] = 3600 }, admin.Token);
        ProblemAssert.Ok(hour);
        Assert.Equal(now + TimeSpan.FromHours(1), hour.Json.GetProperty("expires_at").GetDateTimeOffset());

        // The link carries the invite in its fragment (never sent to a server); the QR code is its module path.
        var invite = hour.GetString("invite");
        Assert.Equal($"{client.Origin}/#invite={invite}", hour.GetString("link"));
        var qr = hour.Json.GetProperty("qr");
        var size = qr.GetProperty("size").GetInt32();
        var squares = System.Text.RegularExpressions.Regex.Matches(qr.GetProperty("path").GetString()!, @"M(\d+) (\d+)h(\d+)v1h-\3z");
        Assert.InRange(size, 21 + 8, 177 + 8);
        Assert.NotEmpty(squares);
        Assert.Equal(qr.GetProperty("path").GetString()!.Length, squares.Sum(m => m.Length));
        int At(System.Text.RegularExpressions.Match m, int group) => int.Parse(m.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(squares, m => Assert.True(At(m, 1) >= 4 && At(m, 2) >= 4 && At(m, 1) + At(m, 3) <= size - 4 && At(m, 2) < size - 4, m.Value)); // inside the quiet zone

        var standard = await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "dave" }, admin.Token);
        Assert.Equal(now + TimeSpan.FromHours(2), standard.Json.GetProperty("expires_at").GetDateTimeOffset());

        ProblemAssert.Problem(await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "erin", ["lifetime_seconds"] = 59 }, admin.Token), 400, "request_invalid");
        ProblemAssert.Problem(await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "erin", ["lifetime_seconds"] = 7201 }, admin.Token), 400, "request_invalid");
        ProblemAssert.Problem(await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "erin", ["lifetime_seconds"] = long.MaxValue }, admin.Token), 400, "request_invalid");
        Assert.Equal(2, (await client.GetAsync("/api/admin/invites", admin.Token)).Json.GetArrayLength());
    }
}
