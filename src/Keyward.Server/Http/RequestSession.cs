using Keyward.Core.Sessions;

namespace Keyward.Server.Http;

/// <summary>
/// What authentication found on a request that does not require a session (registration): the session, or why the
/// token it carried was refused, or neither (no token).
/// </summary>
/// <param name="Session">The live session, if any.</param>
/// <param name="Refusal">Why a presented token was refused, if it was.</param>
internal sealed record RequestSession(SessionInfo? Session, KeywardError? Refusal)
{
    /// <summary>Reads it from the request's <see cref="SessionFeature"/> and <see cref="RefusalFeature"/>.</summary>
    public static RequestSession Of(HttpContext context) =>
        new(context.Features.Get<SessionFeature>()?.Session, context.Features.Get<RefusalFeature>()?.Error);
}
