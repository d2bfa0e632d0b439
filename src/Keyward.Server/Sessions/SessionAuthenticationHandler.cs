using System.Security.Claims;
using System.Text.Encodings.Web;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Server.Audit;
using Keyward.Server.Handoff;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Sessions;

/// <summary>
/// Authenticates a request by the credential its host accepts. Everywhere: a <c>kws_</c> session as
/// <c>Authorization: Bearer</c>. On Keyward's own host, also the <c>__Host-keyward-session</c> cookie, but only for
/// Keyward's own endpoints (path routes take only Bearer). On an app host, also that host's app cookie
/// (<c>__Host-keyward-app</c>, <c>kwp_</c>), whose parent session is checked on every request; Keyward's session cookie
/// is never read there. The session is carried by one object, <see cref="SessionFeature"/>, which authorization, the
/// proxy, the endpoints and the audit actor all read. Failures are values (a <see cref="RefusalFeature"/>); the
/// challenge answers 401 problem+json, or, for a browser navigation on an app host, starts the one-time handoff; every
/// refusal is audited as its endpoint's <see cref="DenialAudit"/> says: one event each when a credential Keyward knows
/// was refused, counted per client address (<see cref="RefusalCounter"/>) when none was.
/// </summary>
internal sealed partial class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionService sessions,
    AppSessionService appSessions,
    IOptions<KeywardOptions> keyward,
    IAuditLog audit,
    RefusalCounter refusals) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var host = Context.Features.Get<RequestHost>();
        SessionCheck check;
        if (ReadBearer(Request) is { } bearer)
        {
            // The proxy's fast path may have checked this very token already (and found it refused): one check per request.
            check = Context.Features.Get<CheckedBearer>() is { } already && string.Equals(already.Token, bearer, StringComparison.Ordinal)
                ? already.Check
                : await sessions.CheckAsync(bearer, Context.RequestAborted).ConfigureAwait(false);
        }
        else if (host is { IsApp: true })
        {
            var read = ExactCookie.Read(Request, HandoffDefaults.AppCookieName);
            if (read.IsConflict)
            {
                return Fail(KeywardErrors.CookieConflict);
            }

            if (read.Value is not { } appCookie)
            {
                return AuthenticateResult.NoResult();
            }

            check = await appSessions.CheckAsync(appCookie, host.Name, Context.RequestAborted).ConfigureAwait(false);
            if (check.Failure == SessionFailure.Invalid)
            {
                return Fail(KeywardErrors.AppSessionInvalid);
            }
        }
        else
        {
            // The cookie header is parsed once: a conflict refuses, a single exact cookie counts on Keyward's endpoints.
            var read = ExactCookie.Read(Request, SessionAuthenticationDefaults.CookieName);
            if (read.IsConflict)
            {
                return Fail(KeywardErrors.CookieConflict);
            }

            if (SessionCookieOnOwnEndpoint(Context, read.Value) is not { } cookie)
            {
                return AuthenticateResult.NoResult();
            }

            check = await sessions.CheckAsync(cookie, Context.RequestAborted).ConfigureAwait(false);
        }

        if (!check.IsValid)
        {
            return Fail(KeywardErrors.From(check.Failure!.Value));
        }

        var session = check.Session!;
        Context.Features.Set(new SessionFeature(session, check.IdleExpiresAt));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, session.AccountName)], SessionAuthenticationDefaults.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SessionAuthenticationDefaults.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var error = Context.Features.Get<RefusalFeature>()?.Error ?? KeywardErrors.SessionMissing;
        await RecordDeniedAsync(error).ConfigureAwait(false);

        // A page load on an app host without a valid app cookie goes to fetch one; anything else gets the problem. Not with
        // conflicting cookies: the planted one would still be there when the browser came back.
        if (Context.Features.Get<RequestHost>() is { IsApp: true } host && HandoffStart.IsBrowserNavigation(Request) && error != KeywardErrors.CookieConflict)
        {
            HandoffStart.Redirect(Context, host, keyward.Value.EffectiveOrigin);
            return;
        }

        Response.Headers.WWWAuthenticate = "Bearer realm=\"keyward\"";
        await Problems.WriteAsync(Context, error).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var error = Context.Features.Get<RefusalFeature>()?.Error ?? KeywardErrors.Forbidden;
        await RecordDeniedAsync(error).ConfigureAwait(false);
        await Problems.WriteAsync(Context, error).ConfigureAwait(false);
    }

    private AuthenticateResult Fail(KeywardError error)
    {
        Context.Features.Set(new RefusalFeature(error));
        return AuthenticateResult.Fail(error.Code);
    }

    // The endpoint says how its refusals are audited (the proxy marks its routes proxy.denied with the route id);
    // otherwise access.denied with the path. The actor is the session's account when there is one (a 403). Without a
    // session found (no credential, or a malformed or unknown one), the refusal is counted, not written on its own.
    private Task RecordDeniedAsync(KeywardError error)
    {
        var denial = Context.GetEndpoint()?.Metadata.GetMetadata<DenialAudit>();
        Refused(Logger, error.Code, denial?.Target ?? Request.Path.Value ?? string.Empty);
        if (Context.Features.Get<SessionFeature>() is null && UnauthenticatedRefusals.Covers(error))
        {
            refusals.Count(Context, denial?.Action ?? AuditActions.AccessDenied, denial?.Target ?? Request.Path.Value, error);
            return Task.CompletedTask;
        }

        return audit.RecordAsync(
            Context,
            denial?.Action ?? AuditActions.AccessDenied,
            AuditOutcomes.Denied,
            denial?.Target ?? Request.Path.Value,
            details: new Dictionary<string, string> { ["code"] = error.Code, ["method"] = Request.Method });
    }

    /// <summary>The token of <c>Authorization: Bearer</c>, or null without one.</summary>
    internal static string? ReadBearer(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    // The session cookie counts only on Keyward's own endpoints: path routes on Keyward's origin take only Bearer, so no
    // page can ride the cookie into an upstream.
    private static string? SessionCookieOnOwnEndpoint(HttpContext context, string? cookie)
    {
        if (cookie is null)
        {
            return null;
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>() is not null)
        {
            context.Features.Set(new RefusalFeature(KeywardErrors.BearerRequired));
            return null;
        }

        return cookie;
    }

    [LoggerMessage(KeywardEventIds.RequestRefused, LogLevel.Debug, "Request to {Target} refused: {Code}.")]
    private static partial void Refused(ILogger logger, string code, string target);
}
