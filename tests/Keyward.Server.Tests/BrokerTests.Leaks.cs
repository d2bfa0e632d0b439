using System.Text.Json.Nodes;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    [Fact]
    public async Task Responses_AcrossTheApi_CarryASessionTokenOnlyInTheSignIn()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var token = broker.Admin.Token;
        var (bob, _) = await AddUserAsync(broker, "bob");

        // Every endpoint, on success and on failure, with the token in the header and in the cookie.
        await client.StatusAsync(token);
        await client.GetAsync("/session/list", token);
        var keys = await client.GetAsync("/api/keys", token);
        var keyId = keys.Json.EnumerateArray().First().GetProperty("id").GetGuid();
        await client.SendAsync(HttpMethod.Patch, $"/api/keys/{keyId}", new JsonObject { ["name"] = "renamed" }, token);
        await client.StepUpAsync(token, "admin");
        await client.StepUpAsync(token, "key.add");
        await client.StepUpAsync(token, "key.remove", keyId.ToString());
        await client.DeleteAsync($"/api/keys/{keyId}", token);
        await client.RegisterBeginAsync(new JsonObject(), token);
        await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "bob", ["role"] = "user" }, token);
        await client.PostAsync("/api/admin/accounts/nobody/revoke-sessions", token: token);
        await client.ProxyAsync("/echo/x", token);
        await client.ProxyAsync("/admins/x", bob.Token);
        await client.ProxyAsync("/echo/x", null, r => r.Headers.TryAddWithoutValidation("Cookie", $"__Host-keyward-session={token}"));
        await client.GetAsync("/.well-known/keyward/jwks.json");
        await client.GetAsync("/healthz");
        await client.StatusAsync(token[..^1] + (token[^1] == 'A' ? 'B' : 'A'));
        await client.RegisterBeginAsync(new JsonObject { ["invite"] = token });
        await client.DeleteAsync($"/session/{bob.Id}", token);
        await client.LogoutAsync(bob.Token);
        await client.StatusAsync(bob.Token);
        await client.LogoutAsync(token);
        await client.ProxyAsync("/echo/x", token);

        var seen = client.Seen.ToList();
        var signIns = seen.Where(TokenLeaks.IsSignIn).ToList();
        Assert.Equal(2, signIns.Count);
        Assert.All(signIns, r => Assert.True(TokenLeaks.Contains(r.Body), "The check must recognize the tokens it looks for."));
        Assert.True(seen.Count > 30, $"Only {seen.Count} responses were seen.");
        Assert.Empty(TokenLeaks.Find(seen));
    }
}
