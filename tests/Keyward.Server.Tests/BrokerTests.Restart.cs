using System.Text.Json.Nodes;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    [Fact]
    public async Task Restart_SameDataAndDatabase_SessionsSurviveAndSetupCodeIsNotReissued()
    {
        var first = await StartHostAsync();
        var code = first.SetupCode!;
        var client = ClientOf(first);
        await client.RegisterAdminAsync(code);
        var admin = await client.LoginAsync("admin");
        var ended = await client.LoginAsync("admin");
        ProblemAssert.Ok(await client.LogoutAsync(ended.Token));
        var before = IdentityAssertion.Parse(UpstreamView.Parse(await client.ProxyAsync("/echo/x", admin.Token)).Header("Keyward-Assertion")!);
        var stoppedAt = first.Time.GetUtcNow();
        await first.DisposeAsync();

        var second = await StartHostAsync(now: stoppedAt.AddMinutes(1));
        var again = ClientOf(second);

        Assert.Null(second.SetupCode);
        var status = await again.StatusAsync(admin.Token);
        ProblemAssert.Ok(status);
        Assert.Equal(admin.Id.ToString(), status.GetString("session_id"));
        ProblemAssert.Problem(await again.StatusAsync(ended.Token), 401, "session_logged_out");
        ProblemAssert.Problem(await again.RegisterBeginAsync(new JsonObject { ["setup_code"] = code, ["username"] = "mallory" }), 401, "setup_code_invalid");

        // The signing key is kept in the data directory: assertions from before and after verify with one JWKS.
        var after = IdentityAssertion.Parse(UpstreamView.Parse(await again.ProxyAsync("/echo/x", admin.Token)).Header("Keyward-Assertion")!);
        var jwks = (await again.GetAsync("/.well-known/keyward/jwks.json")).Json;
        Assert.Equal(before.Kid, after.Kid);
        Assert.True(before.VerifiesWith(jwks));
        Assert.True(after.VerifiesWith(jwks));

        // The counter persisted too: the key signs in again after the restart.
        Assert.Equal("admin", (await again.LoginAsync("admin", client.Key)).Account);
    }

    [Fact]
    public async Task Restart_BeforeAnyAdmin_IssuesFreshSetupCodeAndVoidsTheOld()
    {
        var first = await StartHostAsync();
        var oldCode = first.SetupCode!;
        await first.DisposeAsync();

        var second = await StartHostAsync();
        var client = ClientOf(second);
        var newCode = second.SetupCode;

        Assert.NotNull(newCode);
        Assert.NotEqual(oldCode, newCode);
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = oldCode, ["username"] = "admin" }), 401, "setup_code_invalid");
        Assert.Equal("admin", (await client.RegisterAdminAsync(newCode)).Account);
    }
}
