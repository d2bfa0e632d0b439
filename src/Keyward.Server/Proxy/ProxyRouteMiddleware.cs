using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Keyward.Core.Sessions;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Yarp.ReverseProxy.Model;

namespace Keyward.Server.Proxy;

/// <summary>
/// The proxied request's fast path (issue 15): a request to a path route on Keyward's own host that carries
/// <c>Authorization: Bearer</c> is authenticated and authorized here in one step, and, when both succeed, handed to the
/// route's endpoint (YARP, with the header strip and the assertion) directly. The same session check
/// (<see cref="SessionService.CheckAsync"/>: revocation on this node at once, idle expiry advanced, the cluster's trust
/// generation) and the same rules of the route's own policy (an authenticated session meeting each
/// <see cref="SessionRequirement"/>) decide; what is skipped is only what does nothing for such a request: the
/// authentication and authorization middlewares' generic machinery, the same-origin check (Bearer requests pass it),
/// the WebSocket gate (upgrades never take this path) and the endpoint middleware's bookkeeping.
/// Everything else goes on down the full pipeline unchanged: no Bearer, an app host, an upgrade, an endpoint whose
/// policy holds anything but those two rules, and every refusal. A refused session check is handed on
/// (<see cref="CheckedBearer"/>), so the authentication handler answers and audits it without checking the token twice.
/// </summary>
internal sealed class ProxyRouteMiddleware(RequestDelegate next, SessionService sessions, IAuthorizationPolicyProvider policies)
{
    // Per endpoint: its session requirements when the fast path may decide it, null when it must go the full way. The
    // routes are read once at start and never change (ProxyRoutes), so the endpoints are a fixed, small set.
    private readonly ConcurrentDictionary<Endpoint, SessionRequirement[]?> _plans = new();

    // One principal per cached session: SessionService hands back the same SessionInfo until the entry is refilled (a
    // revalidation makes a new one), the principal carries only the account's name, and nothing on the proxied path
    // changes it. The check itself still runs on every request; only these three objects are not made again.
    private readonly ConditionalWeakTable<SessionInfo, ClaimsPrincipal> _principals = new();

    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<RouteModel>() is null
            || context.Features.Get<RequestHost>() is not { IsApp: false }
            || IsUpgrade(context)
            || SessionAuthenticationHandler.ReadBearer(context.Request) is not { } bearer)
        {
            return next(context);
        }

        return _plans.TryGetValue(endpoint, out var plan)
            ? plan is null ? next(context) : ForwardAsync(context, endpoint, plan, bearer)
            : PlanThenForwardAsync(context, endpoint, bearer);
    }

    private async Task PlanThenForwardAsync(HttpContext context, Endpoint endpoint, string bearer)
    {
        var plan = _plans.GetOrAdd(endpoint, await PlanAsync(endpoint, policies).ConfigureAwait(false));
        await (plan is null ? next(context) : ForwardAsync(context, endpoint, plan, bearer)).ConfigureAwait(false);
    }

    private async Task ForwardAsync(HttpContext context, Endpoint endpoint, SessionRequirement[] requirements, string bearer)
    {
        var check = await sessions.CheckAsync(bearer, context.RequestAborted).ConfigureAwait(false);
        if (!check.IsValid || !Meets(check.Session!, requirements))
        {
            // The full pipeline refuses it, with the same problem and audit as ever, from this very check.
            context.Features.Set(new CheckedBearer(bearer, check));
            await next(context).ConfigureAwait(false);
            return;
        }

        var session = check.Session!;
        context.Features.Set(new SessionFeature(session, check.IdleExpiresAt));
        context.User = _principals.GetValue(session, static s => new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, s.AccountName)], SessionAuthenticationDefaults.Scheme)));
        await endpoint.RequestDelegate!(context).ConfigureAwait(false);
    }

    private static bool Meets(SessionInfo session, SessionRequirement[] requirements)
    {
        foreach (var requirement in requirements)
        {
            if (requirement.Check(session) is not null)
            {
                return false;
            }
        }

        return true;
    }

    // An upgrade (HTTP/1.1 Upgrade, HTTP/2 extended CONNECT) goes to the WebSocket gate, through the full pipeline.
    private static bool IsUpgrade(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true
        || HttpMethods.IsConnect(context.Request.Method);

    /// <summary>
    /// The endpoint's combined policy, as the authorization middleware combines it, reduced to its session requirements
    /// when it holds nothing else (an authenticated user and <see cref="SessionRequirement"/>s, no schemes of its own);
    /// null when the endpoint must take the full pipeline (no policy, anonymous, authorization metadata other than
    /// <see cref="IAuthorizeData"/> and <see cref="AuthorizationPolicy"/>, or metadata that the endpoint middleware or
    /// another middleware acts on).
    /// </summary>
    internal static async Task<SessionRequirement[]?> PlanAsync(Endpoint endpoint, IAuthorizationPolicyProvider policies)
    {
        var metadata = endpoint.Metadata;
        if (endpoint.RequestDelegate is null
            || metadata.GetMetadata<IAllowAnonymous>() is not null
            || metadata.GetMetadata<IRequestSizeLimitMetadata>() is not null
            || metadata.GetMetadata<Microsoft.AspNetCore.Cors.Infrastructure.ICorsMetadata>() is not null
            || metadata.GetMetadata<Microsoft.AspNetCore.Antiforgery.IAntiforgeryMetadata>() is not null
            || HasUnknownAuthorizationMetadata(metadata))
        {
            return null;
        }

        var policy = await AuthorizationPolicy.CombineAsync(policies, metadata.GetOrderedMetadata<IAuthorizeData>(), metadata.GetOrderedMetadata<AuthorizationPolicy>()).ConfigureAwait(false);
        if (policy is null || policy.AuthenticationSchemes.Count > 0)
        {
            return null;
        }

        var requirements = new List<SessionRequirement>();
        var authenticated = false;
        foreach (var requirement in policy.Requirements)
        {
            switch (requirement)
            {
                case DenyAnonymousAuthorizationRequirement:
                    authenticated = true;
                    break;
                case SessionRequirement session:
                    requirements.Add(session);
                    break;
                default:
                    return null;
            }
        }

        return authenticated ? [.. requirements] : null;
    }

    // An allowlist of the authorization metadata the plan understands: IAuthorizeData and AuthorizationPolicy, combined
    // above as the authorization middleware combines them (IAllowAnonymous declines above). Anything else of the
    // authorization namespace (IAuthorizationRequirementData, whose requirements the middleware adds to the policy since
    // .NET 8, or whatever a later version reads) declines, so the full pipeline evaluates it rather than this path
    // silently skipping it. Read once per endpoint: the plan is cached.
    private static bool HasUnknownAuthorizationMetadata(EndpointMetadataCollection metadata)
    {
        foreach (var item in metadata)
        {
            var type = item.GetType();
            if (IsAuthorizationType(type) && !IsUnderstood(type))
            {
                return true;
            }

            foreach (var contract in type.GetInterfaces())
            {
                if (IsAuthorizationType(contract) && !IsUnderstood(contract))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsAuthorizationType(Type type) =>
        type.Namespace?.StartsWith("Microsoft.AspNetCore.Authorization", StringComparison.Ordinal) == true;

    private static bool IsUnderstood(Type type) =>
        type == typeof(IAuthorizeData) || type == typeof(AuthorizeAttribute) || type == typeof(AuthorizationPolicy);
}
