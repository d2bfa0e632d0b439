using Keyward.Core.Audit;
using Keyward.Server.Http;
using Keyward.Server.Proxy;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Yarp.ReverseProxy.Model;

namespace Keyward.Server.Tests;

// The proxied request's fast path (ProxyRouteMiddleware, issue 15): a Bearer request to a path route is authenticated,
// authorized and forwarded in one step. These pin that it is taken for every path route, and that each rule it
// enforces still refuses, through it, with the full pipeline's answer and audit.
public abstract partial class BrokerTests
{
    [Fact]
    public async Task ProxyFastPath_EveryPathRoute_IsPlannedWithItsOwnPolicy()
    {
        var (host, _, _) = await StartWithAdminAsync();
        var policies = host.GetService<IAuthorizationPolicyProvider>();
        var routes = host.GetService<EndpointDataSource>().Endpoints
            .Where(e => e.Metadata.GetMetadata<RouteModel>() is not null)
            .ToDictionary(e => e.Metadata.GetMetadata<RouteModel>()!.Config.RouteId);

        // Without a plan the fast path would never run, and the refusal tests below would test only the full pipeline.
        foreach (var (id, role, uv) in new[] { ("echo", (string?)null, false), ("uv-only", null, true), ("admins", "admin", false) })
        {
            var plan = await ProxyRouteMiddleware.PlanAsync(routes[id], policies);
            Assert.NotNull(plan);
            var requirement = Assert.Single(plan);
            var session = new Keyward.Core.Sessions.SessionInfo(Guid.NewGuid(), Guid.NewGuid(), "bob", "user", Guid.NewGuid(), false, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
            Assert.Equal(role is null && !uv, requirement.Check(session) is null);
        }
    }

    [Fact]
    public async Task ProxyFastPath_SessionRevokedAfterItsProxiedUse_IsRefusedAtOnceAndAuditedOnce()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var laptop = await client.LoginAsync("admin");
        UpstreamView.Parse(await client.ProxyAsync("/echo/warm", laptop.Token));

        ProblemAssert.Ok(await client.DeleteAsync($"/session/{laptop.Id}", admin.Token), 204);

        // The session's cache entry is warm from the proxied use: revocation on this node still wins at once.
        ProblemAssert.Problem(await client.ProxyAsync("/echo/x", laptop.Token), 401, "session_revoked");
        Assert.Equal(1, Echo.RequestCount);
        var refusal = Assert.Single(await AllEventsAsync(host), e => e.Action == AuditActions.ProxyDenied);
        Assert.Equal(("echo", "session_revoked"), (refusal.Target, refusal.Details["code"]));
    }

    [Fact]
    public async Task ProxyFastPath_ValidSessionFailingTheRoutePolicy_IsRefusedWithItsReasonAndAuditedOnce()
    {
        var broker = await StartWithAdminAsync();
        var (bob, _) = await AddUserAsync(broker, "bob");
        UpstreamView.Parse(await broker.Client.ProxyAsync("/echo/warm", bob.Token));

        ProblemAssert.Problem(await broker.Client.ProxyAsync("/admins/panel", bob.Token), 403, "role_required");

        Assert.Equal(1, Echo.RequestCount);
        var refusal = Assert.Single(await AllEventsAsync(broker.Host), e => e.Action == AuditActions.ProxyDenied);
        Assert.Equal(("admins", "bob", "role_required"), (refusal.Target, refusal.Actor, refusal.Details["code"]));
    }

    [Fact]
    public async Task ProxyFastPath_SpoofedKeywardHeadersBesideAValidBearer_NeverReachUpstream()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var proxied = await client.ProxyAsync("/echo/spoof", admin.Token, r =>
        {
            r.Headers.TryAddWithoutValidation("X-Keyward-Account", "root");
            r.Headers.TryAddWithoutValidation("X-Keyward-Role", "admin");
            r.Headers.TryAddWithoutValidation("Keyward-Assertion", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyb290In0.");
            r.Headers.TryAddWithoutValidation("X-Forwarded-User", "root");
        });

        var upstream = UpstreamView.Parse(proxied);
        Assert.DoesNotContain(upstream.HeaderNames, n => n.StartsWith("X-Keyward-", StringComparison.OrdinalIgnoreCase) || n.Equals("X-Forwarded-User", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(admin.Id.ToString(), IdentityAssertion.Parse(upstream.Header("Keyward-Assertion")!).Claim("sid"));
        Assert.False(upstream.Has("Authorization"), upstream.ToString());
    }

    // Two Authorization headers join into one value ("Bearer a,Bearer a"), which is no well-formed token.
    [Fact]
    public async Task ProxyFastPath_TwoAuthorizationHeaders_AreRefusedAndNeverProxied()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var response = await client.ProxyAsync("/echo/x", admin.Token, r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + admin.Token));

        ProblemAssert.Problem(response, 401, KeywardErrors.SessionInvalid.Code);
        Assert.Equal(0, Echo.RequestCount);
    }

    // Bearer wins over a valid session cookie on a path route, on the fast path as in the handler.
    [Fact]
    public async Task ProxyFastPath_ValidCookieBesideAnInvalidBearer_IsRefusedAndNeverProxied()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var response = await client.ProxyAsync("/echo/x", "kws_notavalidtoken", r => r.Headers.TryAddWithoutValidation("Cookie", "__Host-keyward-session=" + admin.Token));

        ProblemAssert.Problem(response, 401, KeywardErrors.SessionInvalid.Code);
        Assert.Equal(0, Echo.RequestCount);
    }

    // A lower-case scheme takes the same path as "Bearer" and is held to the route's role.
    [Fact]
    public async Task ProxyFastPath_LowerCaseBearerScheme_IsStillHeldToTheRouteRole()
    {
        var broker = await StartWithAdminAsync();
        var (bob, _) = await AddUserAsync(broker, "bob");

        var response = await broker.Client.ProxyAsync("/admins/x", null, r => r.Headers.TryAddWithoutValidation("Authorization", "bearer " + bob.Token));

        ProblemAssert.Problem(response, 403, "role_required");
        Assert.Equal(0, Echo.RequestCount);
    }

    // ASP.NET Core's AuthorizationMiddleware (since .NET 8) also adds the requirements of every
    // IAuthorizationRequirementData on the endpoint to its combined policy; the plan understands only IAuthorizeData and
    // AuthorizationPolicy, so such an endpoint (or any other authorization metadata) must take the full pipeline, where
    // its extra requirement is evaluated, rather than be planned with the session rules alone.
    [Fact]
    public async Task ProxyFastPath_EndpointWithUnknownAuthorizationMetadata_TakesTheFullPipeline()
    {
        var (host, _, _) = await StartWithAdminAsync();
        var policies = host.GetService<IAuthorizationPolicyProvider>();
        var endpoint = new Endpoint(
            _ => Task.CompletedTask,
            new EndpointMetadataCollection(new AuthorizeAttribute(AuthorizationPolicies.Route("echo")), new DenyEveryoneRequirementData()),
            "probe");

        Assert.Null(await ProxyRouteMiddleware.PlanAsync(endpoint, policies));
    }

    private sealed class DenyEveryoneRequirementData : IAuthorizationRequirementData
    {
        public IEnumerable<IAuthorizationRequirement> GetRequirements() => [new AssertionRequirement(_ => false)];
    }
}
