using Microsoft.AspNetCore.Authorization;

namespace Keyward.Server.Http;

/// <summary>
/// A session plane's requirement (the admin plane's, a proxied route's): the request's session, optionally a sign-in that verified the user,
/// optionally a role. Reads the one <see cref="SessionFeature"/> of the request.
/// </summary>
internal sealed class SessionRequirement(bool requireUserVerification, string? role) : AuthorizationHandler<SessionRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, SessionRequirement requirement)
    {
        var session = (context.Resource as HttpContext)?.Features.Get<SessionFeature>()?.Session;
        if (session is null)
        {
            return Task.CompletedTask;
        }

        if (requireUserVerification && !session.UserVerified)
        {
            context.Fail(new KeywardFailureReason(this, KeywardErrors.UserVerificationRequired));
        }
        else if (role is not null && session.Role != role)
        {
            context.Fail(new KeywardFailureReason(this, KeywardErrors.RoleRequired));
        }
        else
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
