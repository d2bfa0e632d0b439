using Keyward.Server.Http;
using Keyward.Server.Proxy;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Keyward.Server.Tests;

// review15: adversarial probes of the proxy fast path (ProxyRouteMiddleware) and the header strip. A failing test here
// is a finding's proof (see /work/wt/review15-report.md); a passing one pins that an attack does not work.
public abstract partial class BrokerTests
{
    // Passes: two Authorization headers join into one value ("Bearer a,Bearer a"), which is no well-formed token.
    [Fact]
    public async Task Review15_TwoAuthorizationHeaders_AreRefusedAndNeverProxied()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var response = await client.ProxyAsync("/echo/x", admin.Token, r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + admin.Token));

        ProblemAssert.Problem(response, 401, KeywardErrors.SessionInvalid.Code);
        Assert.Equal(0, Echo.RequestCount);
    }

    // Passes: Bearer wins over a valid session cookie on a path route, on the fast path as in the handler.
    [Fact]
    public async Task Review15_ValidCookieBesideAnInvalidBearer_IsRefusedAndNeverProxied()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var response = await client.ProxyAsync("/echo/x", "kws_notavalidtoken", r => r.Headers.TryAddWithoutValidation("Cookie", "__Host-keyward-session=" + admin.Token));

        ProblemAssert.Problem(response, 401, KeywardErrors.SessionInvalid.Code);
        Assert.Equal(0, Echo.RequestCount);
    }

    // Passes: a lower-case scheme takes the same path as "Bearer" and is held to the route's role.
    [Fact]
    public async Task Review15_LowerCaseBearerScheme_StillHeldToTheRouteRole()
    {
        var broker = await StartWithAdminAsync();
        var (bob, _) = await AddUserAsync(broker, "bob");

        var response = await broker.Client.ProxyAsync("/admins/x", null, r => r.Headers.TryAddWithoutValidation("Authorization", "bearer " + bob.Token));

        ProblemAssert.Problem(response, 403, "role_required");
        Assert.Equal(0, Echo.RequestCount);
    }

    // FAILS (latent bypass): ASP.NET Core's AuthorizationMiddleware (since .NET 8) also adds the requirements of every
    // IAuthorizationRequirementData on the endpoint to its combined policy; PlanAsync reads only IAuthorizeData and
    // AuthorizationPolicy metadata, so such an endpoint is planned with the session rules alone and its extra
    // requirement is never evaluated on the fast path.
    [Fact]
    public async Task Review15_PlanAsync_EndpointWithRequirementData_MustTakeTheFullPipeline()
    {
        var (host, _, _) = await StartWithAdminAsync();
        var policies = host.GetService<IAuthorizationPolicyProvider>();
        var endpoint = new Endpoint(
            _ => Task.CompletedTask,
            new EndpointMetadataCollection(new AuthorizeAttribute(AuthorizationPolicies.Route("echo")), new DenyEveryoneRequirementData()),
            "probe");

        Assert.Null(await ProxyRouteMiddleware.PlanAsync(endpoint, policies));
    }

    // FAILS (finding): identity headers other identity-aware proxies and TLS terminators set, companions of ones the
    // list already strips (Remote-User is stripped; Authelia's Remote-Groups is not), reach the upstream from the client.
    [Fact]
    public async Task Review15_CompanionIdentityHeaders_NeverReachUpstream()
    {
        string[] names =
        [
            "Remote-Groups", "Remote-Email", "Remote-Name",           // Authelia, beside its Remote-User
            "X-Goog-Authenticated-User-Email", "X-Goog-Iap-Jwt-Assertion", // Google IAP
            "X-ARR-ClientCert",                                       // ASP.NET Core CertificateForwarding's default
            "Client-Cert", "Client-Cert-Chain",                       // RFC 9440
            "X-SSL-Client-Cert", "X-Client-Cert",                     // nginx/HAProxy conventions
        ];
        var (_, client, admin) = await StartWithAdminAsync();

        var upstream = UpstreamView.Parse(await client.ProxyAsync("/echo/headers", admin.Token, r =>
        {
            foreach (var name in names)
            {
                r.Headers.TryAddWithoutValidation(name, "root");
            }
        }));

        var reached = names.Where(n => upstream.Header(n) is not null).ToList();
        Assert.True(reached.Count == 0, $"Reached the upstream: {string.Join(", ", reached)}");
    }

    private sealed class DenyEveryoneRequirementData : IAuthorizationRequirementData
    {
        public IEnumerable<IAuthorizationRequirement> GetRequirements() => [new AssertionRequirement(_ => false)];
    }
}
