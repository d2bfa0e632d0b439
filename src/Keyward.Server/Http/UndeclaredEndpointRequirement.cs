using Microsoft.AspNetCore.Authorization;

namespace Keyward.Server.Http;

/// <summary>
/// The fallback policy's one requirement: deny by default. An endpoint that declares neither a policy nor
/// <c>AllowAnonymous</c> is refused (a forgotten declaration fails closed). A request that matched no endpoint passes,
/// so it still gets its plain 404.
/// </summary>
internal sealed class UndeclaredEndpointRequirement : AuthorizationHandler<UndeclaredEndpointRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, UndeclaredEndpointRequirement requirement)
    {
        if (context.Resource is HttpContext http && http.GetEndpoint() is null)
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
