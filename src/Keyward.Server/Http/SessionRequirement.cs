using Microsoft.AspNetCore.Authorization;

namespace Keyward.Server.Http;

/// <summary>
/// A session plane's requirement (the admin plane's, a proxied route's): the request's session, optionally a sign-in that verified the user,
/// optionally a role. Reads the one <see cref="SessionFeature"/> of the request.
/// </summary>
internal sealed class SessionRequirement(bool requireUserVerification, string? role) : IAuthorizationHandler, IAuthorizationRequirement
{
    /// <summary>
    /// Decides this requirement only. As its own handler it is also handed every other requirement of the policy, so an
    /// <see cref="AuthorizationHandler{TRequirement}"/> would judge a second <see cref="SessionRequirement"/> by this
    /// one's rule (and report each failure once per requirement).
    /// </summary>
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        var session = (context.Resource as HttpContext)?.Features.Get<SessionFeature>()?.Session;
        if (session is null || !context.PendingRequirements.Contains(this))
        {
            return Task.CompletedTask;
        }

        if (Check(session) is { } refused)
        {
            context.Fail(new KeywardFailureReason(this, refused));
        }
        else
        {
            context.Succeed(this);
        }

        return Task.CompletedTask;
    }

    /// <summary>Why <paramref name="session"/> does not meet this requirement, or null when it does.</summary>
    internal KeywardError? Check(Keyward.Core.Sessions.SessionInfo session) => Check(session, requireUserVerification, role);

    /// <summary>
    /// Why <paramref name="session"/> does not meet the requirement, or null when it does. The policy's one rule, also
    /// applied to open sockets by the WebSocket sweep (a role removed after the socket opened).
    /// </summary>
    internal static KeywardError? Check(Keyward.Core.Sessions.SessionInfo session, bool requireUserVerification, string? role) =>
        requireUserVerification && !session.UserVerified ? KeywardErrors.UserVerificationRequired
        : role is not null && session.Role != role ? KeywardErrors.RoleRequired
        : null;
}
