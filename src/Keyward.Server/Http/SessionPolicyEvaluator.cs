using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Keyward.Server.Http;

/// <summary>
/// Evaluates the session plane's policies (<see cref="AuthorizationPolicies.Session"/>, <see cref="AuthorizationPolicies.Admin"/>
/// and every proxied route's) directly, with the same rules and the same results as ASP.NET Core's evaluator: an
/// authenticated user (<see cref="DenyAnonymousAuthorizationRequirement"/>) and the request's session meeting each
/// <see cref="SessionRequirement"/>. A policy with any other requirement or its own authentication schemes (the agent
/// and actor planes, the fallback) goes to ASP.NET Core's <see cref="PolicyEvaluator"/> unchanged. It exists for the
/// proxied request's cost (issue 15): the generic path allocated a ticket, a handler context, its sets and a state
/// machine per requirement on every request, to decide what these two rules decide. <c>SessionPolicyEvaluatorTests</c>
/// compares the two evaluators over every policy shape and kind of caller. One difference is deliberate: when a
/// requirement failed with a catalogued reason, ASP.NET Core's failure also lists the unmet requirements, this one only
/// the reasons (neither Keyward's result handler nor ASP.NET Core's reads the list then).
/// </summary>
internal sealed class SessionPolicyEvaluator(IServiceProvider services) : IPolicyEvaluator
{
    private PolicyEvaluator? _generic;

    private PolicyEvaluator Generic => _generic ??= ActivatorUtilities.CreateInstance<PolicyEvaluator>(services);

    public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context)
    {
        // A policy without schemes authenticates as context.User, which the authentication middleware already set from
        // the default scheme's result: that result, when it is the one context.User came from.
        if (IsSessionPolicy(policy)
            && context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is { Succeeded: true } authenticated
            && ReferenceEquals(authenticated.Principal, context.User))
        {
            return Task.FromResult(authenticated);
        }

        return Generic.AuthenticateAsync(policy, context);
    }

    public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource)
    {
        if (!IsSessionPolicy(policy))
        {
            return Generic.AuthorizeAsync(policy, authenticationResult, context, resource);
        }

        // As DefaultAuthorizationService with InvokeHandlersAfterFailure: every requirement is checked; requirements that
        // failed with a catalogued reason (SessionRequirement) make the failure carry those reasons, in the policy's order,
        // otherwise the unmet requirements are the failure, as AuthorizationFailure.Failed(pending) reports them.
        var authenticated = context.User.Identities.Any(i => i.IsAuthenticated);
        var session = (resource as HttpContext)?.Features.Get<SessionFeature>()?.Session;
        List<IAuthorizationRequirement>? pending = null;
        List<AuthorizationFailureReason>? refused = null;
        var requirements = policy.Requirements;
        for (var i = 0; i < requirements.Count; i++)
        {
            var requirement = requirements[i];
            if (requirement is SessionRequirement sessionRequirement)
            {
                if (session is null)
                {
                    (pending ??= []).Add(requirement);
                }
                else if (sessionRequirement.Check(session) is { } error)
                {
                    (refused ??= []).Add(new KeywardFailureReason(sessionRequirement, error));
                }
            }
            else if (!authenticated)
            {
                (pending ??= []).Add(requirement);
            }
        }

        if (pending is null && refused is null)
        {
            return Task.FromResult(PolicyAuthorizationResult.Success());
        }

        // As PolicyEvaluator: a request that authenticated is forbidden, any other challenged.
        if (!authenticationResult.Succeeded)
        {
            return Task.FromResult(PolicyAuthorizationResult.Challenge());
        }

        var failure = refused is not null ? AuthorizationFailure.Failed(refused) : AuthorizationFailure.Failed(pending!);
        return Task.FromResult(PolicyAuthorizationResult.Forbid(failure));
    }

    // Only the two rules this class knows, and no schemes of the policy's own.
    private static bool IsSessionPolicy(AuthorizationPolicy policy)
    {
        if (policy.AuthenticationSchemes.Count > 0)
        {
            return false;
        }

        var requirements = policy.Requirements;
        for (var i = 0; i < requirements.Count; i++)
        {
            if (requirements[i] is not (DenyAnonymousAuthorizationRequirement or SessionRequirement))
            {
                return false;
            }
        }

        return true;
    }
}
