using System.Net;
using System.Security.Claims;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Keyward.Server.Tests.Slices;

/// <summary>The fallback policy denies every endpoint that declares neither a policy nor AllowAnonymous.</summary>
public sealed class DenyByDefaultTests
{
    [Fact]
    public async Task Request_EndpointWithoutDeclaredPolicy_IsRefusedAndNeverRuns()
    {
        await using var keyward = HostedKeyward.Build([]);
        var ran = false;
        keyward.App.MapGet("/undeclared", () =>
        {
            ran = true;
            return "should not run";
        });
        keyward.App.MapGet("/declared-anonymous", () => "ok").AllowAnonymous();
        await keyward.App.StartAsync();
        var client = keyward.App.GetTestClient();

        var refused = await client.GetAsync(new Uri("/undeclared", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("session_missing", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(ran);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/declared-anonymous", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/no-such-path", UriKind.Relative))).StatusCode);
        await keyward.App.StopAsync();
    }

    [Fact]
    public async Task UndeclaredEndpointRequirement_SignedInCallerOnAnEndpoint_Fails()
    {
        var requirement = new UndeclaredEndpointRequirement();
        var http = new DefaultHttpContext();
        http.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(), "undeclared"));
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], "test"));
        var context = new AuthorizationHandlerContext([requirement], user, http);

        await requirement.HandleAsync(context);

        Assert.False(context.HasSucceeded);
        Assert.True(context.HasFailed);
    }
}
