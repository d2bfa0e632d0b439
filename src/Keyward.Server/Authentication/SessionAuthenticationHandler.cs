using System.Security.Claims;
using System.Text.Encodings.Web;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Server.Audit;
using Keyward.Server.Endpoints;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Keyward.Server.Authentication;

/// <summary>
/// Authenticates a <c>kws_</c> session from <c>Authorization: Bearer</c> or the <c>__Host-</c> cookie. Failures are
/// values (the code goes to <see cref="SessionAuthenticationDefaults.FailureItem"/>); the challenge answers 401
/// problem+json, or sends a browser navigation to the sign-in page.
/// </summary>
internal sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionService sessions,
    IAuditLog audit) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken(Request);
        if (token is null)
        {
            Context.Items[SessionAuthenticationDefaults.FailureItem] = "session_missing";
            return AuthenticateResult.NoResult();
        }

        var check = await sessions.CheckAsync(token, Context.RequestAborted).ConfigureAwait(false);
        if (!check.IsValid)
        {
            var code = SessionFailures.Code(check.Failure!.Value);
            Context.Items[SessionAuthenticationDefaults.FailureItem] = code;
            return AuthenticateResult.Fail(code);
        }

        var s = check.Session!;
        Context.Features.Set(new SessionFeature(s, check.IdleExpiresAt));
        var identity = new ClaimsIdentity(
            [
                new Claim(SessionAuthenticationDefaults.AccountIdClaim, s.AccountId.ToString()),
                new Claim(ClaimTypes.Name, s.AccountName),
                new Claim(SessionAuthenticationDefaults.RoleClaim, s.Role),
                new Claim(SessionAuthenticationDefaults.SessionIdClaim, s.Id.ToString()),
                new Claim(SessionAuthenticationDefaults.UserVerifiedClaim, s.UserVerified ? "true" : "false"),
            ],
            SessionAuthenticationDefaults.Scheme,
            ClaimTypes.Name,
            SessionAuthenticationDefaults.RoleClaim);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SessionAuthenticationDefaults.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var code = Context.Items[SessionAuthenticationDefaults.FailureItem] as string ?? "session_missing";
        await RecordDeniedAsync(code).ConfigureAwait(false);
        if (IsBrowserNavigation(Request))
        {
            var target = Request.PathBase + Request.Path + Request.QueryString;
            Response.Redirect(Request.PathBase + "/?return=" + Uri.EscapeDataString(target));
            return;
        }

        Response.Headers.WWWAuthenticate = "Bearer realm=\"keyward\"";
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, code, Message(code)).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var code = Context.Items[SessionAuthenticationDefaults.ForbiddenItem] as string ?? "forbidden";
        await RecordDeniedAsync(code).ConfigureAwait(false);
        var detail = code switch
        {
            "user_verification_required" => "This route requires a sign-in that verified you (PIN or biometric). Sign in again with user verification.",
            "role_required" => "Your account does not have the role this route requires.",
            _ => "You may not use this resource.",
        };
        await Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, code, detail).ConfigureAwait(false);
    }

    // A refused proxied request is proxy.denied with the route as target; any other refused endpoint is
    // access.denied with its path. The actor is the session's account when there is one (a 403), else anonymous.
    private Task RecordDeniedAsync(string code)
    {
        var route = Context.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>()?.Config.RouteId;
        return audit.RecordAsync(
            Context,
            route is null ? AuditActions.AccessDenied : AuditActions.ProxyDenied,
            AuditOutcomes.Denied,
            route ?? Request.Path.Value,
            details: new Dictionary<string, string> { ["code"] = code, ["method"] = Request.Method });
    }

    /// <summary>The session token a request carries, if any. Bearer wins over the cookie.</summary>
    public static string? ReadToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return request.Cookies.TryGetValue(SessionAuthenticationDefaults.CookieName, out var cookie) ? cookie : null;
    }

    private static bool IsBrowserNavigation(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers.Authorization.Count == 0
        && request.Headers[HeaderNames.Accept].ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
        && !request.Headers.ContainsKey("Upgrade");

    private static string Message(string code) => code switch
    {
        "session_missing" => "Sign in first: send a session token (Authorization: Bearer kws_…) or the session cookie.",
        "session_invalid" => SessionFailures.Message(SessionFailure.Invalid),
        "session_expired" => SessionFailures.Message(SessionFailure.Expired),
        "session_idle_expired" => SessionFailures.Message(SessionFailure.IdleExpired),
        "session_logged_out" => SessionFailures.Message(SessionFailure.LoggedOut),
        "session_revoked" => SessionFailures.Message(SessionFailure.Revoked),
        "session_authenticator_removed" => SessionFailures.Message(SessionFailure.AuthenticatorRemoved),
        _ => "Authentication failed.",
    };
}

/// <summary>The authenticated session of a request, for endpoints and the proxy.</summary>
/// <param name="Session">The session.</param>
/// <param name="IdleExpiresAt">When it idles out if unused.</param>
internal sealed record SessionFeature(SessionInfo Session, DateTimeOffset IdleExpiresAt);
