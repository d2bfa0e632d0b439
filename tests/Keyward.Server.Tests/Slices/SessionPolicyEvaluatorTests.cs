using System.Security.Claims;
using Keyward.Core.Sessions;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// <see cref="SessionPolicyEvaluator"/> decides the session plane's policies itself, for the proxied request's cost
/// (issue 15). It claims ASP.NET Core's results; this compares the two evaluators over every policy shape Keyward
/// registers (and the shapes it must hand on) and every kind of caller, so a rule that drifts from ASP.NET Core's
/// (a requirement skipped, a challenge turned into a forbid, the wrong catalogued reason) fails here.
/// </summary>
public sealed class SessionPolicyEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AuthorizeAsync_EveryPolicyAndCaller_AnswersAsAspNetCoresEvaluator()
    {
        await using var services = new ServiceCollection().AddLogging().AddAuthorization().BuildServiceProvider();
        var aspNetCore = new PolicyEvaluator(services.GetRequiredService<IAuthorizationService>());
        var keyward = new SessionPolicyEvaluator(services);
        var compared = 0;
        foreach (var (policyName, policy) in Policies())
        {
            foreach (var (callerName, makeContext, authentication) in Callers())
            {
                var expected = await aspNetCore.AuthorizeAsync(policy, authentication, makeContext(), makeContext());
                var context = makeContext();
                var actual = await keyward.AuthorizeAsync(policy, authentication, context, context);
                var where = $"policy {policyName}, caller {callerName}";

                Assert.True(expected.Succeeded == actual.Succeeded, $"{where}: Succeeded {expected.Succeeded} vs {actual.Succeeded}");
                Assert.True(expected.Challenged == actual.Challenged, $"{where}: Challenged {expected.Challenged} vs {actual.Challenged}");
                Assert.True(expected.Forbidden == actual.Forbidden, $"{where}: Forbidden {expected.Forbidden} vs {actual.Forbidden}");
                Assert.True(expected.AuthorizationFailure?.FailCalled == actual.AuthorizationFailure?.FailCalled, $"{where}: FailCalled");

                // What Keyward's result handler reads: the first catalogued reason (the 403's code), and every reason.
                Assert.Equal(KeywardFailureReason.Of(expected.AuthorizationFailure)?.Code, KeywardFailureReason.Of(actual.AuthorizationFailure)?.Code);
                Assert.Equal(
                    expected.AuthorizationFailure?.FailureReasons.Select(r => r.Message) ?? [],
                    actual.AuthorizationFailure?.FailureReasons.Select(r => r.Message) ?? []);

                // The unmet requirements are reported as ASP.NET Core reports them when no requirement failed with a reason.
                // With a reason, ASP.NET Core also lists the failed requirement as unmet; Keyward's failure carries the reason
                // only (nothing in Keyward or ASP.NET Core's result handling reads the list then).
                if (expected.AuthorizationFailure is { FailCalled: false } unmet)
                {
                    Assert.Equal(unmet.FailedRequirements, actual.AuthorizationFailure!.FailedRequirements);
                }

                compared++;
            }
        }

        Assert.Equal(Policies().Count() * Callers().Count(), compared);
    }

    [Fact]
    public async Task AuthenticateAsync_SessionPolicy_ReturnsTheResultTheRequestAuthenticatedWith()
    {
        await using var services = new ServiceCollection().AddLogging().AddAuthorization().AddAuthentication().Services.BuildServiceProvider();
        var aspNetCore = new PolicyEvaluator(services.GetRequiredService<IAuthorizationService>());
        var keyward = new SessionPolicyEvaluator(services);
        foreach (var (callerName, makeContext, _) in Callers())
        {
            foreach (var (policyName, policy) in Policies().Where(p => p.Policy.AuthenticationSchemes.Count == 0))
            {
                var expected = await aspNetCore.AuthenticateAsync(policy, makeContext());
                var actual = await keyward.AuthenticateAsync(policy, makeContext());
                var where = $"policy {policyName}, caller {callerName}";
                Assert.True(expected.Succeeded == actual.Succeeded, $"{where}: Succeeded");
                Assert.True(expected.None == actual.None, $"{where}: None");
                Assert.True(expected.Principal?.Identity?.Name == actual.Principal?.Identity?.Name, $"{where}: Principal");
            }
        }
    }

    [Fact]
    public async Task AuthorizeAsync_SessionWithoutTheRole_IsForbiddenWithRoleRequired()
    {
        // The comparison above would pass if both evaluators were wrong the same way; the rule itself, stated plainly.
        await using var services = new ServiceCollection().AddLogging().AddAuthorization().BuildServiceProvider();
        var keyward = new SessionPolicyEvaluator(services);
        var policy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new SessionRequirement(false, "admin")).Build();
        var (_, makeContext, authentication) = Callers().Single(c => c.Name == "session user, verified");
        var context = makeContext();

        var result = await keyward.AuthorizeAsync(policy, authentication, context, context);

        Assert.True(result.Forbidden);
        Assert.Equal(KeywardErrors.RoleRequired.Code, KeywardFailureReason.Of(result.AuthorizationFailure)?.Code);
    }

    [Fact]
    public async Task SessionRequirement_TwoInOnePolicy_EachIsJudgedByItsOwnRuleOnce()
    {
        // Each requirement is also its own handler, and a handler sees every requirement of the policy: it must judge
        // only itself, else the verified-user rule would also judge the role requirement and report it twice.
        await using var services = new ServiceCollection().AddLogging().AddAuthorization().BuildServiceProvider();
        var authorization = services.GetRequiredService<IAuthorizationService>();
        var policy = new AuthorizationPolicyBuilder().AddRequirements(new SessionRequirement(true, null), new SessionRequirement(false, "admin")).Build();

        async Task<string[]> ReasonsAsync(string callerName)
        {
            var (_, makeContext, _) = Callers().Single(c => c.Name == callerName);
            var context = makeContext();
            var result = await authorization.AuthorizeAsync(context.User, context, policy);
            return result.Failure?.FailureReasons.Select(r => r.Message).ToArray() ?? [];
        }

        Assert.Equal([KeywardErrors.UserVerificationRequired.Code], await ReasonsAsync("session admin, presence only"));
        Assert.Equal([KeywardErrors.RoleRequired.Code], await ReasonsAsync("session user, verified"));
        Assert.Equal([KeywardErrors.UserVerificationRequired.Code, KeywardErrors.RoleRequired.Code], await ReasonsAsync("session user, presence only"));
        Assert.Empty(await ReasonsAsync("session admin, verified"));
    }

    private static IEnumerable<(string Name, AuthorizationPolicy Policy)> Policies()
    {
        AuthorizationPolicyBuilder Builder() => new();
        yield return ("session", Builder().RequireAuthenticatedUser().Build());
        yield return ("admin", Builder().RequireAuthenticatedUser().AddRequirements(new SessionRequirement(false, "admin")).Build());
        yield return ("route uv", Builder().RequireAuthenticatedUser().AddRequirements(new SessionRequirement(true, null)).Build());
        yield return ("route uv+admin", Builder().RequireAuthenticatedUser().AddRequirements(new SessionRequirement(true, "admin")).Build());
        yield return ("route any session", Builder().RequireAuthenticatedUser().AddRequirements(new SessionRequirement(false, null)).Build());
        yield return ("session requirement alone", Builder().AddRequirements(new SessionRequirement(false, "admin")).Build());
        yield return ("two session requirements", Builder().RequireAuthenticatedUser()
            .AddRequirements(new SessionRequirement(true, null), new SessionRequirement(false, "admin")).Build());

        // Shapes it must hand on to ASP.NET Core's evaluator.
        yield return ("roles requirement", Builder().RequireAuthenticatedUser().RequireRole("admin").Build());
        yield return ("own scheme", Builder().AddAuthenticationSchemes("other").RequireAuthenticatedUser().Build());
        yield return ("assertion", Builder().RequireAssertion(_ => false).AddRequirements(new SessionRequirement(false, null)).Build());
    }

    private static IEnumerable<(string Name, Func<HttpContext> Context, AuthenticateResult Authentication)> Callers()
    {
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity());
        var signedIn = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], "Session"));
        var twoIdentities = new ClaimsPrincipal([new ClaimsIdentity(), new ClaimsIdentity([new Claim(ClaimTypes.Name, "bob")], "Session")]);
        var succeeded = AuthenticateResult.Success(new AuthenticationTicket(signedIn, "Session"));

        yield return ("anonymous", () => Context(anonymous, session: null, AuthenticateResult.NoResult()), AuthenticateResult.NoResult());
        yield return ("anonymous, failed authentication", () => Context(anonymous, session: null, AuthenticateResult.Fail("expired")), AuthenticateResult.Fail("expired"));
        yield return ("signed in, no session", () => Context(signedIn, session: null, succeeded), succeeded);
        yield return ("anonymous with a session feature", () => Context(anonymous, Session("admin", uv: true), AuthenticateResult.NoResult()), AuthenticateResult.NoResult());
        yield return ("session admin, verified", () => Context(signedIn, Session("admin", uv: true), succeeded), succeeded);
        yield return ("session admin, presence only", () => Context(signedIn, Session("admin", uv: false), succeeded), succeeded);
        yield return ("session user, verified", () => Context(signedIn, Session("user", uv: true), succeeded), succeeded);
        yield return ("session user, presence only", () => Context(signedIn, Session("user", uv: false), succeeded), succeeded);
        yield return ("session, authentication result failed", () => Context(signedIn, Session("admin", uv: true), succeeded), AuthenticateResult.Fail("stale"));
        yield return ("two identities, one signed in", () => Context(twoIdentities, Session("admin", uv: true), succeeded), succeeded);
        yield return ("no principal at all", () => new DefaultHttpContext(), AuthenticateResult.NoResult());
    }

    private static SessionInfo Session(string role, bool uv) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "alice", role, Guid.NewGuid(), uv, Now, Now.AddHours(8));

    private static DefaultHttpContext Context(ClaimsPrincipal user, SessionInfo? session, AuthenticateResult authenticated)
    {
        var context = new DefaultHttpContext { User = user };
        if (session is not null)
        {
            context.Features.Set(new SessionFeature(session, Now.AddMinutes(30)));
        }

        // As the authentication middleware leaves it: the default scheme's result, whose principal is context.User.
        var result = authenticated.Succeeded ? AuthenticateResult.Success(new AuthenticationTicket(user, "Session")) : authenticated;
        context.Features.Set<IAuthenticateResultFeature>(new AuthenticateResultFeature { AuthenticateResult = result });
        return context;
    }

    private sealed class AuthenticateResultFeature : IAuthenticateResultFeature
    {
        public AuthenticateResult? AuthenticateResult { get; set; }
    }
}
