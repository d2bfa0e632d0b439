using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Keyward.Server.Http;

/// <summary>
/// Carries the catalogued reason of a failed requirement (<see cref="KeywardFailureReason"/>) to the scheme's forbid
/// (<see cref="RefusalFeature"/>); everything else is ASP.NET Core's default.
/// </summary>
internal sealed class KeywardAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && KeywardFailureReason.Of(authorizeResult.AuthorizationFailure) is { } error)
        {
            context.Features.Set(new RefusalFeature(error));
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
