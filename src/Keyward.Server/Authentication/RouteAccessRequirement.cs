using Microsoft.AspNetCore.Authorization;

namespace Keyward.Server.Authentication;

/// <summary>A proxied route's policy: a session, optionally UV at sign-in and a role.</summary>
internal sealed class RouteAccessRequirement(bool requireUserVerification, string? role) : AuthorizationHandler<RouteAccessRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RouteAccessRequirement requirement)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return Task.CompletedTask;
        }

        var http = context.Resource as HttpContext;
        if (requireUserVerification && user.FindFirst(SessionAuthenticationDefaults.UserVerifiedClaim)?.Value != "true")
        {
            http?.Items.TryAdd(SessionAuthenticationDefaults.ForbiddenItem, "user_verification_required");
            context.Fail();
            return Task.CompletedTask;
        }

        if (role is not null && user.FindFirst(SessionAuthenticationDefaults.RoleClaim)?.Value != role)
        {
            http?.Items.TryAdd(SessionAuthenticationDefaults.ForbiddenItem, "role_required");
            context.Fail();
            return Task.CompletedTask;
        }

        context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
