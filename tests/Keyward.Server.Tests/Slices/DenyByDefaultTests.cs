using System.Net;
using System.Security.Claims;
using Keyward.Core.Audit;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

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
    public async Task UndeclaredEndpointRequirement_SignedInCallerOnARouteEndpoint_Fails()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], "test"));
        var route = new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/undeclared"), 0, EndpointMetadataCollection.Empty, "undeclared");

        Assert.False(await SucceedsAsync(user, route));

        // Routing's own answers (a bare endpoint, such as its 405) and no endpoint at all (404) pass through.
        Assert.True(await SucceedsAsync(user, new Endpoint(_ => Task.CompletedTask, EndpointMetadataCollection.Empty, "405 HTTP Method Not Supported")));
        Assert.True(await SucceedsAsync(user, null));
    }

    private static async Task<bool> SucceedsAsync(ClaimsPrincipal user, Endpoint? endpoint)
    {
        var requirement = new UndeclaredEndpointRequirement();
        var http = new DefaultHttpContext();
        http.SetEndpoint(endpoint);
        var context = new AuthorizationHandlerContext([requirement], user, http);
        await requirement.HandleAsync(context);
        return context.HasSucceeded && !context.HasFailed;
    }

    [Fact]
    public async Task Endpoints_EveryRealEndpoint_DeclaresAKnownPlanePolicyOrAllowAnonymous()
    {
        await using var keyward = HostedKeyward.Build(["--Keyward:Routes:counter:Path=/resource/{**rest}", "--Keyward:Routes:counter:Upstream=http://127.0.0.1:9"]);
        await keyward.App.StartAsync();
        var endpoints = ((IEndpointRouteBuilder)keyward.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/resource/{**rest}");
        Assert.All(endpoints, e =>
        {
            var policies = e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            var anonymous = e.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            Assert.True(anonymous || policies.Count > 0, $"{e.DisplayName} declares no policy");
            Assert.All(policies, p => Assert.True(
                p is AuthorizationPolicies.Session or AuthorizationPolicies.Admin or AuthorizationPolicies.AgentKey or AuthorizationPolicies.AgentEnroll or AuthorizationPolicies.ActorKey || p!.StartsWith(AuthorizationPolicies.RoutePrefix, StringComparison.Ordinal),
                $"{e.DisplayName} names an unknown policy {p}"));
        });
        await keyward.App.StopAsync();
    }

    [Theory]
    [InlineData("OPTIONS", "/healthz")]
    [InlineData("POST", "/healthz")]
    [InlineData("GET", "/session/logout")]
    [InlineData("POST", "/api/audit/key")]
    public async Task Request_KnownPathOtherMethod_Gets405AndIsNotAudited(string method, string path)
    {
        await using var keyward = HostedKeyward.Build([]);
        await keyward.App.StartAsync();
        var reader = keyward.App.Services.GetRequiredService<AuditReader>();
        var before = (await reader.ListAsync(new AuditQuery { Limit = AuditQuery.MaxLimit })).Events.Count;

        var response = await keyward.App.GetTestClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(before, (await reader.ListAsync(new AuditQuery { Limit = AuditQuery.MaxLimit })).Events.Count);
        await keyward.App.StopAsync();
    }
}
