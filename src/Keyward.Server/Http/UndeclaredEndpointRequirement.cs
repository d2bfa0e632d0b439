using Microsoft.AspNetCore.Authorization;

namespace Keyward.Server.Http;

/// <summary>
/// The fallback policy's one requirement: deny by default. An endpoint that declares neither a policy nor
/// <c>AllowAnonymous</c> is refused (a forgotten declaration fails closed). A request that matched no route endpoint
/// passes, so it still gets routing's own answer: 404 for no match, 405 (with <c>Allow</c>) for a known path with another
/// method, which routing answers with a bare, non-route endpoint of its own.
/// </summary>
internal sealed class UndeclaredEndpointRequirement : AuthorizationHandler<UndeclaredEndpointRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, UndeclaredEndpointRequirement requirement)
    {
        if (context.Resource is HttpContext http && http.GetEndpoint() is not RouteEndpoint)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, "The endpoint declares no authorization policy."));
        }

        return Task.CompletedTask;
    }
}
